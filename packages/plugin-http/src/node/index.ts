/** @ixp/plugin-http/node — node:http: a request listener over the handler, and a ready server. */
export { toNodeHandler, type NodeHandlerOptions, type NodeListener } from './handler.js'
export { createNodeServer, type IxpNodeServer, type NodeServerOptions } from './server.js'
export { attachUpgrades, type UpgradeOptions } from './upgrade.js'
