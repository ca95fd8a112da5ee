import { describe, expect, it } from 'vitest'
import { compileMapping, readPath, resolveMapping } from '../src/mapping.js'

const sources = {
  input: { cart: { id: 'C-1', items: [{ sku: 'TE-101', qty: 2 }] }, list: [10, 20] },
  results: new Map<string, unknown>([
    ['validate', { total: 42, lines: [{ price: 5 }] }],
    ['count', 3],
  ]),
  context: { locale: 'fr' },
}

function resolve(mapping: unknown) {
  const { compiled, problems } = compileMapping(mapping, 'params')
  expect(problems).toEqual([])
  return resolveMapping(compiled, sources)
}

describe('parameter mappings', () => {
  it('resolves references at any depth, indexes arrays and keeps literals', () => {
    expect(
      resolve({
        sku: '$input.cart.items.0.sku',
        second: '$input.list.1',
        price: '$results.validate.lines.0.price',
        count: '$results.count',
        locale: '$context.locale',
        nested: { all: ['$input.cart.id', 7, null, true, { deep: '$context' }] },
        dollar: '$$5.00',
        plain: 'text',
      }),
    ).toEqual({
      sku: 'TE-101',
      second: 20,
      price: 5,
      count: 3,
      locale: 'fr',
      nested: { all: ['C-1', 7, null, true, { deep: { locale: 'fr' } }] },
      dollar: '$5.00',
      plain: 'text',
    })
  })

  it('reads $results as every result by step id, and a single reference as the whole value', () => {
    expect(resolve('$results')).toEqual({ validate: { total: 42, lines: [{ price: 5 }] }, count: 3 })
    expect(resolve('$input.cart')).toEqual({ id: 'C-1', items: [{ sku: 'TE-101', qty: 2 }] })
  })

  it('drops object keys that read nothing: missing keys, unknown steps, paths through primitives', () => {
    expect(
      resolve({
        a: '$input.nope',
        b: '$results.unknown.x',
        c: '$results.count.x',
        d: '$input.list.x',
        e: '$input.cart.id',
      }),
    ).toEqual({ e: 'C-1' })
  })

  it('only reads own properties (never the prototype chain)', () => {
    expect(readPath({ a: 1 }, ['toString'])).toBeUndefined()
    expect(readPath(Object.create({ inherited: 1 }), ['inherited'])).toBeUndefined()
    expect(readPath([1, 2], ['length'])).toBeUndefined()
  })

  it('collects the references it found, with where they sit', () => {
    const { references } = compileMapping({ a: ['$input.x', { b: '$results.s.y' }] }, 'params')
    expect(references.map((r) => [r.at, r.text, r.reference])).toEqual([
      ['params.a.0', '$input.x', { root: 'input', path: ['x'] }],
      ['params.a.1.b', '$results.s.y', { root: 'results', path: ['s', 'y'] }],
    ])
  })
})
