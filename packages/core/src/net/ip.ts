/**
 * IP addresses without Node built-ins (transports and rate limiting run on edge runtimes too): strict parsing of IPv4, IPv6 and
 * IPv4-mapped IPv6, canonical formatting, CIDR matching, and grouping IPv6 clients by network prefix.
 */

/** A parsed address; IPv4-mapped IPv6 addresses are turned into IPv4 so both forms count as one client. */
export interface IpAddress {
  readonly version: 4 | 6
  /** 4 bytes for IPv4, 16 for IPv6. */
  readonly bytes: Uint8Array
}

/** An address range: `bytes` already masked to `prefix` bits. */
export interface IpRange extends IpAddress {
  readonly prefix: number
}

const IPV4_PART = /^(0|[1-9][0-9]{0,2})$/
const HEX_GROUP = /^[0-9a-f]{1,4}$/i

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  const bytes = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!
    // Leading zeros are refused: some parsers read them as octal, so their meaning is ambiguous.
    if (!IPV4_PART.test(part)) return undefined
    const value = Number(part)
    if (value > 255) return undefined
    bytes[i] = value
  }
  return bytes
}

function parseGroups(text: string): number[] | undefined {
  if (text === '') return []
  const groups: number[] = []
  const parts = text.split(':')
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!
    if (i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part)
      if (!v4) return undefined
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!)
    } else {
      if (!HEX_GROUP.test(part)) return undefined
      groups.push(parseInt(part, 16))
    }
  }
  return groups
}

function parseIpv6(text: string): Uint8Array | undefined {
  const zone = text.indexOf('%')
  const address = zone === -1 ? text : text.slice(0, zone)
  const halves = address.split('::')
  if (halves.length > 2) return undefined
  const head = parseGroups(halves[0]!)
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : []
  if (!head || !tail) return undefined
  // An embedded IPv4 part may only end the address.
  if (halves.length === 2 && halves[0]!.includes('.')) return undefined
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail]
  const bytes = new Uint8Array(16)
  for (let i = 0; i < 8; i++) {
    bytes[i * 2] = groups[i]! >> 8
    bytes[i * 2 + 1] = groups[i]! & 0xff
  }
  return bytes
}

function isV4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false
  return bytes[10] === 0xff && bytes[11] === 0xff
}

/**
 * The canonical form of a plain dotted IPv4 address, or `undefined` when `text` is anything else. The common
 * case of every request (a socket address), so it avoids the general parser's allocations.
 */
export function canonicalIpv4(text: string): string | undefined {
  const length = text.length
  if (length < 7 || length > 15) return undefined
  let dots = 0
  let value = 0
  let digits = 0
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i)
    if (code === 46) {
      if (digits === 0 || ++dots > 3) return undefined
      value = 0
      digits = 0
    } else if (code >= 48 && code <= 57) {
      // A leading zero makes the part ambiguous (octal to some parsers): refused, as in parseIp.
      if (digits === 1 && value === 0) return undefined
      value = value * 10 + (code - 48)
      if (++digits > 3 || value > 255) return undefined
    } else {
      return undefined
    }
  }
  return dots === 3 && digits > 0 ? text : undefined
}

/**
 * Parses an address as transports and proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`,
 * `[2001:db8::1]:443`, `fe80::1%eth0`, `::ffff:1.2.3.4`. Returns `undefined` for anything else.
 */
export function parseIp(input: string): IpAddress | undefined {
  let text = input.trim()
  if (text.length === 0 || text.length > 64) return undefined
  if (text.startsWith('[')) {
    const end = text.indexOf(']')
    if (end === -1) return undefined
    const rest = text.slice(end + 1)
    if (rest !== '' && !/^:[0-9]{1,5}$/.test(rest)) return undefined
    text = text.slice(1, end)
  } else if (text.includes('.') && text.indexOf(':') === text.lastIndexOf(':') && text.includes(':')) {
    // `a.b.c.d:port`: one colon with a dotted address before it.
    const [host, port] = text.split(':') as [string, string]
    if (!/^[0-9]{1,5}$/.test(port)) return undefined
    text = host
  }
  if (!text.includes(':')) {
    const bytes = parseIpv4(text)
    return bytes && { version: 4, bytes }
  }
  const bytes = parseIpv6(text)
  if (!bytes) return undefined
  if (isV4Mapped(bytes)) return { version: 4, bytes: bytes.slice(12) }
  return { version: 6, bytes }
}

/** The canonical text of an address (RFC 5952 for IPv6: lower case, the longest zero run compressed). */
export function formatIp(address: IpAddress): string {
  const { bytes } = address
  if (address.version === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!)
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const hex = groups.map((group) => group.toString(16))
  if (bestStart === -1) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}

function mask(bytes: Uint8Array, prefix: number): Uint8Array {
  const masked = new Uint8Array(bytes.length)
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8))
    masked[i] = bytes[i]! & ((0xff << (8 - bits)) & 0xff)
  }
  return masked
}

/**
 * The rate-limit identity of an address: IPv4 as is; IPv6 masked to `v6Prefix` bits and written as a network
 * (`2001:db8:0:100::/56`), since one subscriber usually holds a whole prefix and could rotate through it.
 */
export function clientIdentity(address: IpAddress, v6Prefix: number): string {
  if (address.version === 4 || v6Prefix >= 128) return formatIp(address)
  return `${formatIp({ version: 6, bytes: mask(address.bytes, v6Prefix) })}/${v6Prefix}`
}

/** Parses `10.0.0.0/8`, `2001:db8::/32` or a bare address (a range of one). */
export function parseIpRange(input: string): IpRange | undefined {
  const slash = input.indexOf('/')
  const address = parseIp(slash === -1 ? input : input.slice(0, slash))
  if (!address) return undefined
  const full = address.version === 4 ? 32 : 128
  if (slash === -1) return { ...address, prefix: full }
  const prefixText = input.slice(slash + 1).trim()
  if (!/^[0-9]{1,3}$/.test(prefixText)) return undefined
  let prefix = Number(prefixText)
  // `::ffff:10.0.0.0/104` was turned into IPv4: carry the prefix over to the IPv4 bits.
  if (address.version === 4 && input.includes(':')) prefix -= 96
  if (prefix < 0 || prefix > full) return undefined
  return { version: address.version, bytes: mask(address.bytes, prefix), prefix }
}

/** True when `address` lies in `range`. */
export function ipInRange(address: IpAddress, range: IpRange): boolean {
  if (address.version !== range.version) return false
  const masked = mask(address.bytes, range.prefix)
  for (let i = 0; i < masked.length; i++) if (masked[i] !== range.bytes[i]) return false
  return true
}
