/** Replicas of an HTTP service: round robin, and outlier ejection of a replica that stops answering. */
import { afterEach, describe, expect, it } from 'vitest'
import { serviceIntent, startGateway, startService } from './helpers.js'

const open: { close?: () => Promise<void>; stop?: () => Promise<void> }[] = []
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await (item.close ?? item.stop)!.call(item)
})

describe('HTTP replicas', () => {
  it('calls replicas round robin and ejects one that cannot be reached', async () => {
    const replicas = await Promise.all(
      [1, 2, 3].map(() => startService('catalog', [serviceIntent('catalog', 'product', 'ProductCard')])),
    )
    open.push(...replicas)
    const gateway = await startGateway({
      services: [{ name: 'catalog', urls: replicas.map((replica) => replica.url) }],
      outlier: { consecutiveFailures: 1, ejectionMs: 60_000 },
      breaker: { consecutiveFailures: 100 },
      refreshMs: 0,
    })
    open.push(gateway)
    for (let i = 0; i < 6; i++) expect((await gateway.render('product', { id: String(i) })).status).toBe(200)
    expect(replicas.map((replica) => replica.calls.get('product'))).toEqual([2, 2, 2])

    await replicas[1]!.stop()
    // Every render succeeds: the failed attempt is retried on the next replica, and the dead one is ejected.
    for (let i = 0; i < 20; i++) expect((await gateway.render('product', { id: `x${i}` })).status).toBe(200)
    expect(replicas[0]!.calls.get('product')! + replicas[2]!.calls.get('product')!).toBe(24)
    const status = gateway.plugin.status().catalog!
    expect(status).toMatchObject({ state: 'degraded', available: 2, total: 3 })
    expect((await (await gateway.fetch('/health')).json()) as { status: string }).toMatchObject({
      status: 'degraded',
    })
  })
})
