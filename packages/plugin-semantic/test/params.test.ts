import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import { extractParameters } from '../src/index.js'

const order = {
  type: 'object',
  properties: {
    orderId: { type: 'string', pattern: '^[0-9]+$' },
    speed: { type: 'string', enum: ['standard', 'next_day', 'express'] },
    quantity: { type: 'integer', minimum: 1, maximum: 10 },
    note: { type: 'string' },
  },
  required: ['orderId', 'speed'],
}

describe('extractParameters', () => {
  it('fills an identifier next to the parameter name, and reports the required ones still missing', () => {
    expect(extractParameters("where's my order 1234?", order)).toEqual({
      parameters: { orderId: '1234' },
      missing: ['speed'],
    })
  })

  it('finds enum values written with spaces for underscores, in any case', () => {
    expect(extractParameters('Ship order 55 by Next Day please', order)).toEqual({
      parameters: { orderId: '55', speed: 'next_day' },
      missing: [],
    })
  })

  it('takes numbers for numeric parameters, and number words too', () => {
    expect(extractParameters('order 77, three units, express', order).parameters).toEqual({
      orderId: '77',
      quantity: 3,
      speed: 'express',
    })
    expect(
      extractParameters('I want 2 of them', { type: 'object', properties: { count: { type: 'number' } } }),
    ).toEqual({
      parameters: { count: 2 },
      missing: [],
    })
  })

  it('validates against the property schema: out-of-range or non-integer values are not filled', () => {
    expect(extractParameters('order 12 with 40 units', order).parameters).toEqual({ orderId: '12' })
    expect(extractParameters('order 12 with 2.5 units', order).parameters).toEqual({ orderId: '12' })
    expect(extractParameters('order 12 with 4 units', order).parameters).toEqual({
      orderId: '12',
      quantity: 4,
    })
  })

  it('fills free-text strings from quotes (double, single, typographic), not from apostrophes', () => {
    expect(extractParameters('order 9 with note "leave at the door"', order).parameters).toMatchObject({
      note: 'leave at the door',
    })
    expect(extractParameters("order 9 note 'ring twice'", order).parameters).toMatchObject({
      note: 'ring twice',
    })
    expect(extractParameters('order 9 note “fragile”', order).parameters).toMatchObject({ note: 'fragile' })
    expect(extractParameters("what's the status of order 9", order).parameters).toEqual({ orderId: '9' })
  })

  it('does not read digits inside quotes as numbers', () => {
    const schema = { type: 'object', properties: { title: { type: 'string' }, year: { type: 'integer' } } }
    expect(extractParameters('play "1999" released in 1983', schema).parameters).toEqual({
      title: '1999',
      year: 1983,
    })
  })

  it('gives a bare number to a string parameter only when the text names it or the pattern accepts it', () => {
    const free = { type: 'object', properties: { city: { type: 'string' } } }
    expect(extractParameters('weather for 1234', free).parameters).toEqual({})
    const zip = { type: 'object', properties: { zip: { type: 'string', pattern: '^[0-9]{5}$' } } }
    expect(extractParameters('stores near 94107', zip).parameters).toEqual({ zip: '94107' })
    expect(extractParameters('stores near 941', zip).parameters).toEqual({})
  })

  it('takes identifiers that mix letters and digits when the text names the parameter', () => {
    const schema = { type: 'object', properties: { trackingCode: { type: 'string' } } }
    expect(extractParameters('where is tracking A-1234X now', schema).parameters).toEqual({
      trackingCode: 'A-1234X',
    })
  })

  it('understands TypeBox schemas (unions of literals, integers)', () => {
    const schema = Type.Object({
      size: Type.Union([Type.Literal('small'), Type.Literal('large')]),
      count: Type.Integer({ minimum: 1 }),
    })
    expect(extractParameters('two large pizzas', schema as never)).toEqual({
      parameters: { size: 'large', count: 2 },
      missing: [],
    })
  })

  it('gives each span to one parameter, preferring the one named next to it', () => {
    const schema = {
      type: 'object',
      properties: {
        from: { type: 'string', enum: ['paris', 'london'] },
        to: { type: 'string', enum: ['paris', 'london'] },
      },
    }
    expect(extractParameters('a train to paris from london', schema).parameters).toEqual({
      from: 'london',
      to: 'paris',
    })
  })

  it('does not report a required parameter that has a default as missing', () => {
    const schema = {
      type: 'object',
      properties: {
        units: { type: 'string', enum: ['metric', 'imperial'], default: 'metric' },
        city: { type: 'string' },
      },
      required: ['units', 'city'],
    }
    expect(extractParameters('weather please', schema)).toEqual({ parameters: {}, missing: ['city'] })
  })

  it('copes with schemas without properties and with empty text', () => {
    expect(extractParameters('anything 12', { type: 'object' })).toEqual({ parameters: {}, missing: [] })
    expect(extractParameters('', order)).toEqual({ parameters: {}, missing: ['orderId', 'speed'] })
    expect(extractParameters('text', undefined)).toEqual({ parameters: {}, missing: [] })
  })
})
