import { describe, expect, it } from 'vitest'
import { canonicalJson, cloneJson, findUnserialisable, keyMaterial, serialise } from '../src/json.js'
import { buildKey, INLINE_MATERIAL_LIMIT, scopeSegment, segment, type KeyParts } from '../src/key.js'

function parts(overrides: Partial<KeyParts> = {}): KeyParts {
  return {
    version: '1',
    intent: 'product',
    intentVersion: '1.0.0',
    component: 'Card',
    componentVersion: '2.0.0',
    scope: 'pub',
    material: '{"p":{"id":"42"}}',
    ...overrides,
  }
}

describe('canonical JSON', () => {
  it('does not depend on key order, at any depth', () => {
    const a = canonicalJson({ b: 1, a: { y: [1, { d: 2, c: 3 }], x: 'x' } })
    const b = canonicalJson({ a: { x: 'x', y: [1, { c: 3, d: 2 }] }, b: 1 })
    expect(a).toEqual({ ok: true, json: '{"a":{"x":"x","y":[1,{"c":3,"d":2}]},"b":1}' })
    expect(b).toEqual(a)
  })

  it('keeps array order and drops undefined properties', () => {
    expect(canonicalJson([2, 1])).not.toEqual(canonicalJson([1, 2]))
    expect(canonicalJson({ a: 1, b: undefined })).toEqual(canonicalJson({ a: 1 }))
  })

  it('escapes strings so distinct values never meet', () => {
    const left = canonicalJson({ a: 'x","b":"y' })
    const right = canonicalJson({ a: 'x', b: 'y' })
    expect(left.ok && right.ok && left.json !== right.json).toBe(true)
  })

  it('writes strings, numbers and keys as JSON.stringify does, keys in code unit order', () => {
    const strings = [
      'plain',
      'quote " and \\',
      'tab\tnew\nline\u0001',
      '\u2028',
      '\ud83d\ude00',
      'lone \ud800',
      '',
    ]
    for (const text of strings) expect(canonicalJson(text)).toEqual({ ok: true, json: JSON.stringify(text) })
    for (const n of [0, -0, 1.5, -3, 1e21, 5e-7, Number.MAX_SAFE_INTEGER])
      expect(canonicalJson(n)).toEqual({ ok: true, json: JSON.stringify(n) })
    const record = { b: 1, '10': 2, '9': 3, é: 4, Z: 5, 'a"b': 6, a: 7 }
    const sorted = Object.keys(record).sort()
    expect(canonicalJson(record)).toEqual({
      ok: true,
      json: `{${sorted.map((key) => `${JSON.stringify(key)}:${JSON.stringify(record[key as keyof typeof record])}`).join(',')}}`,
    })
  })

  it('reports what plain JSON cannot carry, with its path', () => {
    expect(canonicalJson({ when: new Date(0) })).toEqual({
      ok: false,
      problem: { path: 'when', reason: 'a Date' },
    })
    expect(canonicalJson({ list: [1, undefined] })).toEqual({
      ok: false,
      problem: { path: 'list.1', reason: 'undefined' },
    })
    expect(canonicalJson({ n: Number.NaN })).toEqual({
      ok: false,
      problem: { path: 'n', reason: 'the number NaN' },
    })
    expect(canonicalJson({ big: 1n })).toEqual({ ok: false, problem: { path: 'big', reason: 'a bigint' } })
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    expect(canonicalJson(cycle)).toEqual({
      ok: false,
      problem: {
        path: 'self.self.self.self.self.self.self.self.self.self.…',
        reason: 'a circular reference or nesting deeper than 100 levels',
      },
    })
  })
})

describe('serialise', () => {
  it('keeps key order and accepts a shared (non-circular) object twice', () => {
    const shared = { z: 1 }
    expect(serialise({ b: shared, a: shared })).toEqual({ ok: true, json: '{"b":{"z":1},"a":{"z":1}}' })
  })

  it('refuses functions, maps and class instances', () => {
    expect(findUnserialisable({ f: () => 1 })).toEqual({ path: 'f', reason: 'a function' })
    expect(findUnserialisable({ m: new Map() })).toEqual({ path: 'm', reason: 'a Map' })
    class Money {}
    expect(findUnserialisable({ price: new Money() })).toEqual({ path: 'price', reason: 'a Money' })
    expect(findUnserialisable(Object.create(null))).toBeUndefined()
  })
})

describe('key material', () => {
  it('names its parts, leaving missing ones out, and locates problems', () => {
    expect(keyMaterial('p', { b: 1, a: 2 }, undefined)).toEqual({ ok: true, json: 'p{"a":2,"b":1}' })
    expect(keyMaterial('p', {}, 'en', { theme: 'dark' })).toEqual({
      ok: true,
      json: 'p{}|o{"theme":"dark"}|v"en"',
    })
    expect(keyMaterial('k', 'abc', undefined)).toEqual({ ok: true, json: 'k"abc"' })
    expect(keyMaterial('p', {}, undefined, { at: new Date(0) })).toEqual({
      ok: false,
      problem: { path: 'options.at', reason: 'a Date' },
    })
  })

  it('cannot be forged by a string that looks like a separator', () => {
    const forged = keyMaterial('p', { a: 'x"}|o{"b":1' }, undefined)
    const real = keyMaterial('p', { a: 'x' }, undefined, { b: 1 })
    expect(forged.ok && real.ok && forged.json !== real.json).toBe(true)
  })
})

describe('cloneJson', () => {
  it('copies deeply, keeping a "__proto__" key as data', () => {
    const parsed = JSON.parse('{"a":[1,{"b":null}],"__proto__":{"polluted":true}}') as Record<string, unknown>
    const copy = cloneJson(parsed)
    expect(copy).toEqual(parsed)
    expect(copy.a).not.toBe(parsed.a)
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype)
    expect(Object.keys(copy)).toEqual(['a', '__proto__'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('copies own properties only, in their order', () => {
    const parsed = JSON.parse('{"b":1,"2":{"c":[true,"x"]},"a":null}') as Record<string, unknown>
    const inherited = Object.assign(Object.create({ inherited: 1 }) as Record<string, unknown>, parsed)
    const copy = cloneJson(inherited)
    expect(Object.keys(copy)).toEqual(['2', 'b', 'a'])
    expect(copy.inherited).toBeUndefined()
    expect(copy).toEqual(parsed)
  })
})

describe('keys', () => {
  it('are readable and contain short material verbatim', () => {
    expect(buildKey(parts())).toBe('1:product:1.0.0:Card:2.0.0:pub:={"p":{"id":"42"}}')
  })

  it('escape delimiters in segments so different inputs cannot collide', () => {
    const a = buildKey(parts({ intent: 'a:b', intentVersion: 'c' }))
    const b = buildKey(parts({ intent: 'a', intentVersion: 'b:c' }))
    expect(a).not.toBe(b)
    expect(segment('a:b/c%d')).toBe('a%3Ab%2Fc%25d')
  })

  it('change with every version', () => {
    const base = buildKey(parts())
    expect(buildKey(parts({ version: '2' }))).not.toBe(base)
    expect(buildKey(parts({ intentVersion: '1.0.1' }))).not.toBe(base)
    expect(buildKey(parts({ componentVersion: '2.0.1' }))).not.toBe(base)
  })

  it('hash long material with SHA-256 and stay bounded', async () => {
    const long = JSON.stringify({ p: { text: 'x'.repeat(10_000) } })
    const key = await buildKey(parts({ material: long }))
    expect(key).toMatch(/:#[A-Za-z0-9_-]{43}$/)
    expect(key.length).toBeLessThan(100)
    expect(await buildKey(parts({ material: long }))).toBe(key)
    expect(await buildKey(parts({ material: long.replace('x"', 'y"') }))).not.toBe(key)
    const edge = 'a'.repeat(INLINE_MATERIAL_LIMIT)
    expect(buildKey(parts({ material: edge }))).toBe(`1:product:1.0.0:Card:2.0.0:pub:=${edge}`)
  })

  it('keep scopes apart and refuse a private scope without an identity', () => {
    expect(scopeSegment('public', { user: 'alice' })).toBe('pub')
    expect(scopeSegment('user', { user: 'alice' })).toBe('u=/alice')
    expect(scopeSegment('user', { user: 'alice', tenant: 'acme' })).toBe('u=acme/alice')
    expect(scopeSegment('user', { user: 'a/b', tenant: 'c' })).not.toBe(
      scopeSegment('user', { user: 'b', tenant: 'c/a' }),
    )
    expect(scopeSegment('tenant', { user: 'alice', tenant: 'acme' })).toBe('t=acme')
    expect(scopeSegment('user', { tenant: 'acme' })).toBeUndefined()
    expect(scopeSegment('tenant', { user: 'alice' })).toBeUndefined()
  })
})
