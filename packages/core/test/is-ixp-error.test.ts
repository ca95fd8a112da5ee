import { describe, expect, it } from 'vitest'
import { IxpError, isIxpError, toIxpError } from '../src/index.js'

describe('isIxpError', () => {
  it('is an instanceof check: an IxpError or a subclass is one', () => {
    class PaymentError extends IxpError {}
    expect(isIxpError(new IxpError('FORBIDDEN', 'no'))).toBe(true)
    expect(isIxpError(new PaymentError('PAYMENT_DECLINED', 'declined', { status: 402 }))).toBe(true)
  })

  it('refuses look-alikes: an Error named IxpError with a code and a status is not one', () => {
    const lookAlike = Object.assign(new Error('fake'), { name: 'IxpError', code: 'FORBIDDEN', status: 403 })
    expect(isIxpError(lookAlike)).toBe(false)
    expect(isIxpError({ name: 'IxpError', code: 'FORBIDDEN', status: 403, message: 'x' })).toBe(false)
    expect(isIxpError(undefined)).toBe(false)
  })

  it('toIxpError passes IxpErrors through and wraps anything else as INTERNAL_ERROR', () => {
    const own = new IxpError('FORBIDDEN', 'no')
    expect(toIxpError(own)).toBe(own)
    const lookAlike = Object.assign(new Error('fake'), { name: 'IxpError', code: 'FORBIDDEN', status: 403 })
    const wrapped = toIxpError(lookAlike)
    expect(wrapped).toBeInstanceOf(IxpError)
    expect(wrapped).toMatchObject({ code: 'INTERNAL_ERROR', status: 500, expose: false, cause: lookAlike })
  })
})
