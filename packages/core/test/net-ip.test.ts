import { describe, expect, it } from 'vitest'
import {
  canonicalIpv4,
  clientAddress,
  clientIdentity,
  formatIp,
  ipInRange,
  parseIp,
  parseIpRange,
  type ProxyTrust,
} from '@ixp/core/net'

const text = (input: string) => {
  const address = parseIp(input)
  return address && formatIp(address)
}

describe('parseIp / formatIp', () => {
  it('normalises IPv4, IPv6 and the forms proxies and sockets write', () => {
    expect(text('203.0.113.7')).toBe('203.0.113.7')
    expect(text(' 203.0.113.7 ')).toBe('203.0.113.7')
    expect(text('203.0.113.7:51234')).toBe('203.0.113.7')
    expect(text('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1')
    expect(text('2001:db8::1')).toBe('2001:db8::1')
    expect(text('[2001:db8::1]:443')).toBe('2001:db8::1')
    expect(text('[2001:db8::1]')).toBe('2001:db8::1')
    expect(text('fe80::1%eth0')).toBe('fe80::1')
    expect(text('::')).toBe('::')
    expect(text('::1')).toBe('::1')
    expect(text('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1')
    expect(text('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1')
    expect(text('64:ff9b::192.0.2.33')).toBe('64:ff9b::c000:221')
  })

  it('turns IPv4-mapped IPv6 into IPv4, so both forms are one client', () => {
    expect(parseIp('::ffff:203.0.113.7')).toEqual({ version: 4, bytes: new Uint8Array([203, 0, 113, 7]) })
    expect(text('::ffff:cb00:7107')).toBe('203.0.113.7')
    expect(text('[::ffff:203.0.113.7]:80')).toBe('203.0.113.7')
  })

  it('refuses what is not an address', () => {
    for (const bad of [
      '',
      'localhost',
      '256.1.1.1',
      '1.2.3',
      '1.2.3.4.5',
      '01.2.3.4',
      '1.2.3.4:port',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7',
      '12345::1',
      '::ffff:1.2.3.256',
      '1.2.3.4::1',
      '[::1',
      '[::1]x',
      'unknown',
      '2001:db8::g',
    ]) {
      expect(parseIp(bad), bad).toBeUndefined()
    }
  })
})

describe('canonicalIpv4 (the fast path for plain socket addresses)', () => {
  it('agrees with the general parser on every plain IPv4 form and refuses the rest', () => {
    const inputs = [
      '0.0.0.0',
      '1.2.3.4',
      '255.255.255.255',
      '10.0.0.1',
      '256.0.0.1',
      '01.2.3.4',
      '1.2.3',
      '1.2.3.4.',
      '.1.2.3',
      '1..2.3',
      '1.2.3.4:80',
      '::1',
      '1.2.3.a',
      '',
      '1234.1.1.1',
      '1.2.3.04',
    ]
    for (const input of inputs) {
      const general = parseIp(input)
      const expected = general?.version === 4 && !input.includes(':') ? formatIp(general) : undefined
      expect(canonicalIpv4(input), input).toBe(expected)
    }
  })
})

describe('clientIdentity', () => {
  it('groups IPv6 clients by prefix (default /56) and keeps IPv4 addresses whole', () => {
    const a = parseIp('2001:db8:1:12ab:1:2:3:4')!
    const b = parseIp('2001:db8:1:12ff:ffff::9')!
    const c = parseIp('2001:db8:1:1300::1')!
    expect(clientIdentity(a, 56)).toBe('2001:db8:1:1200::/56')
    expect(clientIdentity(b, 56)).toBe('2001:db8:1:1200::/56')
    expect(clientIdentity(c, 56)).toBe('2001:db8:1:1300::/56')
    expect(clientIdentity(a, 64)).toBe('2001:db8:1:12ab::/64')
    expect(clientIdentity(a, 128)).toBe('2001:db8:1:12ab:1:2:3:4')
    expect(clientIdentity(parseIp('203.0.113.7')!, 56)).toBe('203.0.113.7')
  })
})

describe('ranges', () => {
  it('matches CIDR ranges of either family', () => {
    const ten = parseIpRange('10.0.0.0/8')!
    expect(ipInRange(parseIp('10.200.3.4')!, ten)).toBe(true)
    expect(ipInRange(parseIp('11.0.0.1')!, ten)).toBe(false)
    expect(ipInRange(parseIp('::ffff:10.1.1.1')!, ten)).toBe(true)
    expect(ipInRange(parseIp('2001:db8::1')!, ten)).toBe(false)
    const v6 = parseIpRange('2001:db8::/32')!
    expect(ipInRange(parseIp('2001:db8:ffff::1')!, v6)).toBe(true)
    expect(ipInRange(parseIp('2001:db9::1')!, v6)).toBe(false)
    const one = parseIpRange('192.0.2.1')!
    expect(one.prefix).toBe(32)
    expect(ipInRange(parseIp('192.0.2.1')!, one)).toBe(true)
    expect(ipInRange(parseIp('192.0.2.2')!, one)).toBe(false)
    expect(ipInRange(parseIp('172.16.5.5')!, parseIpRange('172.16.0.0/12')!)).toBe(true)
    expect(ipInRange(parseIp('172.32.0.1')!, parseIpRange('172.16.0.0/12')!)).toBe(false)
    expect(ipInRange(parseIp('10.9.9.9')!, parseIpRange('::ffff:10.0.0.0/104')!)).toBe(true)
    expect(ipInRange(parseIp('1.2.3.4')!, parseIpRange('0.0.0.0/0')!)).toBe(true)
  })

  it('refuses malformed ranges', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/', 'x/8', '2001:db8::/129', '10.0.0.0/8/8']) {
      expect(parseIpRange(bad), bad).toBeUndefined()
    }
  })
})

describe('clientAddress behind proxies', () => {
  const resolve = (remote: string | undefined, forwardedFor: string | undefined, trust: ProxyTrust) => {
    const found = clientAddress({ remote, forwardedFor }, trust)
    return { address: found.address && formatIp(found.address), malformed: found.malformed }
  }
  const none: ProxyTrust = { kind: 'none' }
  const oneHop: ProxyTrust = { kind: 'hops', hops: 1 }
  const twoHops: ProxyTrust = { kind: 'hops', hops: 2 }
  const lan: ProxyTrust = {
    kind: 'ranges',
    ranges: [parseIpRange('10.0.0.0/8')!, parseIpRange('2001:db8:ffff::/48')!],
  }

  it('ignores X-Forwarded-For unless proxies are trusted', () => {
    expect(resolve('10.0.0.2', '198.51.100.9', none).address).toBe('10.0.0.2')
  })

  it('counts proxy hops from the socket leftwards, ignoring what the client prepended', () => {
    expect(resolve('10.0.0.2', '198.51.100.9', oneHop).address).toBe('198.51.100.9')
    // The client forged an entry; the load balancer appended the real address.
    expect(resolve('10.0.0.2', '1.1.1.1, 198.51.100.9', oneHop).address).toBe('198.51.100.9')
    expect(resolve('10.0.0.2', '1.1.1.1, 198.51.100.9, 10.0.0.9', twoHops).address).toBe('198.51.100.9')
    // Fewer hops than trusted: the leftmost entry is the client.
    expect(resolve('10.0.0.2', '198.51.100.9', twoHops).address).toBe('198.51.100.9')
    expect(resolve('10.0.0.2', undefined, twoHops).address).toBe('10.0.0.2')
  })

  it('skips trusted proxy ranges from the right', () => {
    expect(resolve('10.0.0.2', '1.1.1.1, 198.51.100.9, 10.1.1.1', lan).address).toBe('198.51.100.9')
    expect(resolve('10.0.0.2', '2001:db8:1::5, 2001:db8:ffff::1', lan).address).toBe('2001:db8:1::5')
    // The socket is not a trusted proxy: the header is not believed.
    expect(resolve('203.0.113.5', '198.51.100.9', lan).address).toBe('203.0.113.5')
    // Every hop trusted: the leftmost one.
    expect(resolve('10.0.0.2', '10.3.3.3', lan).address).toBe('10.3.3.3')
    // No socket address from the transport: the header's nearest entry stands in for it.
    expect(resolve(undefined, '198.51.100.9, 10.1.1.1', lan).address).toBe('198.51.100.9')
  })

  it('falls back to the nearest valid hop when a trusted proxy forwarded garbage', () => {
    expect(resolve('10.0.0.2', 'unknown', oneHop)).toEqual({ address: '10.0.0.2', malformed: 'unknown' })
    expect(resolve('10.0.0.2', 'garbage, 10.1.1.1', lan)).toEqual({
      address: '10.1.1.1',
      malformed: 'garbage',
    })
  })
})
