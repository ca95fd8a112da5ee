import { describe, expect, expectTypeOf, it } from 'vitest'
import { defineErrors, IxpError } from '../src/index.js'
import { formatMessage } from '../src/error-table.js'

const demoError = defineErrors({
  DEMO_NOT_FOUND: { status: 404, message: "No thing named '{name}' (of {count})" },
  DEMO_BROKEN: { status: 500, message: 'The demo store is broken' },
  DEMO_SECRETLESS: { status: 502, message: 'Upstream {upstream} failed', expose: true },
} as const)

describe('defineErrors', () => {
  it('builds an IxpError with the table status and the filled template', () => {
    const error = demoError('DEMO_NOT_FOUND', { name: 'box', count: 3 }, { details: { name: 'box' } })
    expect(error).toBeInstanceOf(IxpError)
    expect(error.code).toBe('DEMO_NOT_FOUND')
    expect(error.status).toBe(404)
    expect(error.message).toBe("No thing named 'box' (of 3)")
    expect(error.expose).toBe(true)
    expect(error.toJSON()).toEqual({
      code: 'DEMO_NOT_FOUND',
      message: "No thing named 'box' (of 3)",
      details: { name: 'box' },
    })
  })

  it('hides 5xx messages unless the table exposes them, and keeps cause and headers', () => {
    const cause = new Error('socket closed')
    const hidden = demoError('DEMO_BROKEN', {}, { cause, headers: { 'retry-after': '1' } })
    expect(hidden.expose).toBe(false)
    expect(hidden.cause).toBe(cause)
    expect(hidden.headers).toEqual({ 'retry-after': '1' })
    expect(demoError('DEMO_SECRETLESS', { upstream: 'stock' }).expose).toBe(true)
  })

  it('offers the table and the code → status map', () => {
    expect(demoError.statuses).toEqual({ DEMO_NOT_FOUND: 404, DEMO_BROKEN: 500, DEMO_SECRETLESS: 502 })
    expect(demoError.table.DEMO_BROKEN.message).toBe('The demo store is broken')
    expect(Object.isFrozen(demoError.statuses)).toBe(true)
  })

  it('refuses a code the table does not declare', () => {
    expect(() => (demoError as unknown as (code: string) => IxpError)('NOPE')).toThrow(
      /'NOPE' is not a code of this table/,
    )
  })

  it('types the parameters from the template', () => {
    expectTypeOf(demoError).parameter(0).toEqualTypeOf<'DEMO_NOT_FOUND' | 'DEMO_BROKEN' | 'DEMO_SECRETLESS'>()
    // @ts-expect-error `count` is missing
    demoError('DEMO_NOT_FOUND', { name: 'x' })
    // @ts-expect-error the template has no placeholder for `name`
    demoError('DEMO_BROKEN', { name: 'x' })
    demoError('DEMO_BROKEN')
  })
})

describe('formatMessage', () => {
  it('leaves unknown placeholders and inherited names alone', () => {
    expect(formatMessage('{a} and {b} and {toString}', { a: 1 })).toBe('1 and {b} and {toString}')
    expect(formatMessage('no params {x}', undefined)).toBe('no params {x}')
  })
})
