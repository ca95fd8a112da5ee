/** @ixp/plugin-auth: renders per second per credential kind against the same render without the plugin. */
export { default } from '../packages/plugin-auth/bench/auth.bench.js'
