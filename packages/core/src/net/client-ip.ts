/**
 * Finding the client's address behind proxies. The socket's remote address is the nearest hop; each trusted
 * proxy appended the address it saw to `X-Forwarded-For`, so the chain is read from the right and the first
 * hop that is not a trusted proxy is the client. Entries left of it are whatever the client sent: never used.
 */
import { ipInRange, parseIp, type IpAddress, type IpRange } from './ip.js'

/** How far to believe `X-Forwarded-For`: not at all, a number of proxy hops, or a set of proxy ranges. */
export type ProxyTrust =
  { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'ranges'; ranges: IpRange[] }

export interface ClientAddressInput {
  /** The socket's remote address, when the transport knows it. */
  remote: string | undefined
  /** The raw `X-Forwarded-For` header. */
  forwardedFor: string | undefined
}

/** The outcome, with a note when a trusted proxy forwarded something that is not an address. */
export interface ClientAddress {
  address: IpAddress | undefined
  /** Set when the entry chosen as the client was not an address and a nearer hop was used instead. */
  malformed?: string
}

function forwardedChain(input: ClientAddressInput): (string | undefined)[] {
  const chain: (string | undefined)[] = [input.remote]
  if (input.forwardedFor) {
    const hops = input.forwardedFor.split(',')
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!.trim()
      if (hop !== '') chain.push(hop)
    }
  }
  return chain
}

/** The nearest parseable address at or before `index` (towards the socket), when the chosen entry is not one. */
function nearestValid(chain: (string | undefined)[], index: number): ClientAddress {
  const chosen = chain[index]
  const address = chosen === undefined ? undefined : parseIp(chosen)
  if (address) return { address }
  for (let i = index - 1; i >= 0; i--) {
    const entry = chain[i]
    const nearer = entry === undefined ? undefined : parseIp(entry)
    if (nearer) return { address: nearer, malformed: chosen }
  }
  return { address: undefined, malformed: chosen }
}

export function clientAddress(input: ClientAddressInput, trust: ProxyTrust): ClientAddress {
  if (trust.kind === 'none' || !input.forwardedFor) {
    return { address: input.remote === undefined ? undefined : parseIp(input.remote) }
  }
  const chain = forwardedChain(input)
  if (trust.kind === 'hops') return nearestValid(chain, Math.min(trust.hops, chain.length - 1))
  for (let i = 0; i < chain.length; i++) {
    const entry = chain[i]
    const address = entry === undefined ? undefined : parseIp(entry)
    // An unknown socket address (no `ip` from the transport) is taken as the trusted nearest proxy.
    if (entry === undefined && i === 0) continue
    if (!address) return nearestValid(chain, i)
    if (!trust.ranges.some((range) => ipInRange(address, range))) return { address }
  }
  // Every hop is a trusted proxy: the leftmost is the best knowledge of the client there is.
  return nearestValid(chain, chain.length - 1)
}
