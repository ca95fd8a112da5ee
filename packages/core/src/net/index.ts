/**
 * `@ixp/core/net`: IP addresses and CIDR ranges, and finding the client's address behind trusted proxies —
 * what transports (plugin-http) and per-client plugins (plugin-rate-limit) share, kept out of the root entry
 * that every app loads.
 */
export {
  canonicalIpv4,
  clientIdentity,
  formatIp,
  ipInRange,
  parseIp,
  parseIpRange,
  type IpAddress,
  type IpRange,
} from './ip.js'
export { clientAddress, type ClientAddress, type ClientAddressInput, type ProxyTrust } from './client-ip.js'
