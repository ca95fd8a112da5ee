/**
 * The core's portable suite: what must work on every runtime IXP Engine claims, workerd included.
 * `runtimes.test.ts` bundles it and runs it in workerd and in Node without code generation.
 */
import './suite-hooks.js'
import './suite-engine.js'
