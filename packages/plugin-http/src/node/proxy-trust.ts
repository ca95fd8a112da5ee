/**
 * The node transports' proxy trust: the one place `X-Forwarded-For` is read. `ctx.ip` is the socket address,
 * or — behind trusted proxies — the first hop of the chain (read from the right) that is not a trusted proxy,
 * as Express's `trust proxy` does with a hop count or a list of addresses. Trusting every proxy (`true`) is
 * refused: the leftmost entry is whatever the client wrote, so it would let each request choose its address.
 */
import { clientAddress, formatIp, parseIpRange, type ProxyTrust } from '@ixp/core/net'
import { httpError } from '../errors.js'

/** How far to believe `X-Forwarded-For`: not at all, a number of proxy hops, or the proxies' addresses / CIDR ranges. */
export type TrustProxyOption = false | number | readonly string[]

/** Checks the `trustProxy` option at start-up; the message says what to write instead. */
export function compileProxyTrust(option: unknown): ProxyTrust {
  if (option === undefined || option === false || option === 0) return { kind: 'none' }
  if (typeof option === 'number') {
    if (!Number.isSafeInteger(option) || option < 0) {
      throw httpError('HTTP_INVALID_OPTIONS', {
        problem: `trustProxy as a number counts proxy hops; it must be a non-negative integer (got ${option})`,
      })
    }
    return { kind: 'hops', hops: option }
  }
  if (Array.isArray(option)) {
    const ranges = option.map((entry: unknown) => {
      const range = typeof entry === 'string' ? parseIpRange(entry) : undefined
      if (range === undefined) {
        throw httpError('HTTP_INVALID_OPTIONS', {
          problem: `trustProxy entry ${JSON.stringify(entry)} is not an IP address or CIDR range`,
        })
      }
      return range
    })
    return { kind: 'ranges', ranges }
  }
  throw httpError('HTTP_INVALID_OPTIONS', {
    problem:
      `trustProxy must be false, a number of proxy hops or a list of proxy addresses / CIDR ranges (got ${JSON.stringify(option)}); ` +
      '`true` would trust the leftmost X-Forwarded-For entry, which any client can write',
  })
}

/** The client address of a request: the socket's when nothing is trusted, else the chain walked from the right. */
export function clientIp(
  remote: string | undefined,
  forwardedFor: string | undefined,
  trust: ProxyTrust,
): string | undefined {
  if (trust.kind === 'none' || forwardedFor === undefined || forwardedFor === '') return remote
  const found = clientAddress({ remote, forwardedFor }, trust)
  return found.address === undefined ? remote : formatIp(found.address)
}
