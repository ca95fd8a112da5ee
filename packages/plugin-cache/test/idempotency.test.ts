/**
 * Idempotency keys of commands, in one process (the in-process store): one run per key and caller, the same
 * answer replayed, 422 for another request, 409 while running, 5xx released, 4xx kept, keys checked.
 */
import { IxpError, type IxpContext, type RenderResult } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import type { CacheOptions } from '../src/index.js'
import { asUser, delay, manualClock, setup } from './helpers.js'

async function orders(options: CacheOptions = {}) {
  const fixture = await setup(options)
  const control = { runs: 0, delayMs: 0, fail: undefined as IxpError | undefined }
  fixture.engine.registerIntent({
    name: 'place_order',
    kind: 'command',
    description: 'Places an order',
    component: 'Card',
    parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
    handler: async ({ id }) => {
      const run = ++control.runs
      if (control.delayMs > 0) await delay(control.delayMs)
      if (control.fail) throw control.fail
      return { call: run, order: id }
    },
  })
  const records: string[] = []
  fixture.plugin.events.on('idempotency', (event) => records.push(event.record))
  const place = (id: string, key: string | undefined, context: IxpContext = {}) =>
    fixture.engine.render(
      { intent: { name: 'place_order', parameters: { id } } },
      key === undefined ? context : { ...context, headers: { 'idempotency-key': key } },
    )
  return { ...fixture, control, place, records }
}

const bodyOf = (result: RenderResult) =>
  JSON.stringify({ tree: result.tree, component: result.component, ttl: result.ttl, props: result.props })

async function failure(work: Promise<unknown>): Promise<IxpError> {
  try {
    await work
  } catch (error) {
    return error as IxpError
  }
  throw new Error('expected a failure')
}

describe('idempotency keys', () => {
  it('run a command once per key; a repeat gets the same answer marked replayed', async () => {
    const { place, control, plugin } = await orders()
    const first = await place('7', 'order-77')
    const second = await place('7', 'order-77')
    expect(control.runs).toBe(1)
    expect(bodyOf(second)).toBe(bodyOf(first))
    expect(first.meta.headers?.['idempotent-replayed']).toBeUndefined()
    expect(second.meta.headers?.['idempotent-replayed']).toBe('true')
    expect(plugin.stats().replays).toBe(1)
    await place('7', undefined)
    expect(control.runs).toBe(2)
  })

  it('refuse the same key with other parameters (422) and keep the first answer', async () => {
    const { place, control } = await orders()
    await place('7', 'k1')
    const error = await failure(place('8', 'k1'))
    expect(error).toMatchObject({ code: 'IDEMPOTENCY_KEY_MISMATCH', status: 422, expose: true })
    expect(control.runs).toBe(1)
    expect((await place('7', 'k1')).props.call).toBe(1)
  })

  it('answer a concurrent repeat with 409 while the first runs, then replay it', async () => {
    const { place, control } = await orders()
    control.delayMs = 100
    const outcomes = await Promise.allSettled([place('7', 'k2'), place('7', 'k2'), place('7', 'k2')])
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1)
    for (const outcome of outcomes.filter((outcome) => outcome.status === 'rejected')) {
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({
        code: 'IDEMPOTENCY_KEY_IN_USE',
        status: 409,
        headers: { 'retry-after': '1' },
      })
    }
    expect(control.runs).toBe(1)
    expect((await place('7', 'k2')).meta.headers?.['idempotent-replayed']).toBe('true')
  })

  it('release the key on a server error (a retry runs again) and keep a client error', async () => {
    const { place, control } = await orders()
    control.fail = new IxpError('INTERNAL_ERROR', 'database down', { status: 503 })
    await expect(place('7', 'k3')).rejects.toMatchObject({ status: 503 })
    control.fail = undefined
    expect((await place('7', 'k3')).props.call).toBe(2)

    control.fail = new IxpError('FORBIDDEN', 'out of stock', { status: 403 })
    const first = await failure(place('9', 'k4'))
    control.fail = undefined
    const again = await failure(place('9', 'k4'))
    expect(control.runs).toBe(3)
    expect(again).toMatchObject({ code: 'FORBIDDEN', message: 'out of stock', status: 403 })
    expect(first.headers?.['idempotent-replayed']).toBeUndefined()
    expect(again.headers?.['idempotent-replayed']).toBe('true')
  })

  it("are per caller: another principal's same key runs its own command", async () => {
    const { place, control } = await orders()
    await place('7', 'shared', asUser('alice'))
    const bob = await place('7', 'shared', asUser('bob'))
    expect(control.runs).toBe(2)
    expect(bob.meta.headers?.['idempotent-replayed']).toBeUndefined()
    const token = {
      user: { id: 'alice', roles: [], permissions: [], method: 'jwt' },
    } as unknown as IxpContext
    await place('7', 'shared', token)
    expect(control.runs).toBe(3)
  })

  it('expire after the window', async () => {
    const clock = manualClock()
    const { place, control } = await orders({ clock: clock.now, idempotency: { windowMs: 60_000 } })
    await place('7', 'k5')
    clock.advance(59_000)
    await place('7', 'k5')
    expect(control.runs).toBe(1)
    clock.advance(2_000)
    await place('7', 'k5')
    expect(control.runs).toBe(2)
  })

  it('are bounded and checked (400), and never reported as given', async () => {
    const { place, control, records } = await orders({ idempotency: { maxKeyLength: 16 } })
    for (const bad of ['', 'x'.repeat(17), 'has space', 'tab\there', 'é']) {
      await expect(place('7', bad)).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_INVALID', status: 400 })
    }
    expect(control.runs).toBe(0)
    await place('7', 'secret-key-1')
    expect(records.length).toBeGreaterThan(0)
    for (const record of records) {
      expect(record).not.toContain('secret')
      expect(record).toMatch(/^[A-Za-z0-9_-]{43}$/)
    }
  })

  it('take the key from ctx.idempotencyKey too, and ignore keys on queries', async () => {
    const { engine, control, render, handler } = await orders()
    const ctx = { idempotencyKey: 'k6' }
    await engine.render({ intent: { name: 'place_order', parameters: { id: '1' } } }, ctx)
    await engine.render({ intent: { name: 'place_order', parameters: { id: '1' } } }, ctx)
    expect(control.runs).toBe(1)
    await render({ id: '1' }, { headers: { 'idempotency-key': 'k7' } })
    await render({ id: '2' }, { headers: { 'idempotency-key': 'k7' } })
    expect(handler.calls).toBe(2)
  })

  it('can be turned off, and its options are checked', async () => {
    const { place, control } = await orders({ idempotency: false })
    await place('7', 'k8')
    await place('7', 'k8')
    expect(control.runs).toBe(2)
    await expect(orders({ idempotency: { windowMs: 0 } })).rejects.toMatchObject({
      code: 'CACHE_INVALID_OPTIONS',
      message: expect.stringContaining('idempotency.windowMs'),
    })
  })
})
