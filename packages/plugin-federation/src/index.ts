/** @ixp/plugin-federation — many IXP services behind one gateway, over HTTP and NATS. Public API. */
export { federation, PLUGIN_NAME, type FederationPlugin } from './plugin.js'
export { natsService, type NatsServiceOptions, type NatsServicePlugin } from './nats-service.js'
export { FederationErrorCodes, type FederationErrorCode } from './errors.js'
export type {
  BreakerOptions,
  BulkheadOptions,
  FederationOptions,
  HttpServiceOptions,
  NatsRemoteServiceOptions,
  OutlierOptions,
  RetryOptions,
  ServiceCommonOptions,
  ServiceOptions,
} from './options.js'
export type { ServiceState } from './remote-service.js'
export type { BreakerState } from './resilience.js'
