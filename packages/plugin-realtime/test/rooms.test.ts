import { afterEach, describe, expect, it } from 'vitest'
import { serve, stockEngine, TestClient, type Running } from './helpers.js'

const running: Running[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()))
})

async function start(options: Parameters<typeof serve>[1] = {}) {
  const server = await serve(stockEngine({ stock: new Map() }), options)
  running.push(server)
  return server
}

describe('rooms and events', () => {
  it('refuses joins when no authorizeRoom option is set', async () => {
    const server = await start()
    const client = await TestClient.connect(server.wsUrl)
    client.send({ id: 'j', type: 'join', payload: { room: 'lobby' } })
    expect(await client.next()).toMatchObject({ id: 'j', type: 'error', payload: { code: 'ROOM_FORBIDDEN' } })
  })

  it('joins the rooms authorizeRoom allows, delivers broadcasts there, and stops after leave', async () => {
    const server = await start({ authorizeRoom: (room) => room.startsWith('store:') })
    const member = await TestClient.connect(server.wsUrl)
    const outsider = await TestClient.connect(server.wsUrl)
    member.send({ id: 'j', type: 'join', payload: { room: 'store:portland' } })
    expect(await member.next()).toEqual({
      id: 'j',
      type: 'result',
      payload: { room: 'store:portland', joined: true },
    })
    outsider.send({ id: 'j', type: 'join', payload: { room: 'staff' } })
    expect(await outsider.next()).toMatchObject({
      id: 'j',
      type: 'error',
      payload: { code: 'ROOM_FORBIDDEN' },
    })

    expect(server.plugin.broadcast('store:portland', 'restocked', { sku: 'A' })).toBe(1)
    expect(await member.next()).toEqual({
      type: 'event',
      payload: { room: 'store:portland', event: 'restocked', data: { sku: 'A' } },
    })
    await outsider.nothingFor(50)

    member.send({ id: 'l', type: 'leave', payload: { room: 'store:portland' } })
    expect(await member.next()).toEqual({
      id: 'l',
      type: 'result',
      payload: { room: 'store:portland', joined: false },
    })
    server.plugin.broadcast('store:portland', 'restocked', { sku: 'B' })
    await member.nothingFor(50)
  })

  it('broadcastAll reaches every connection', async () => {
    const server = await start()
    const a = await TestClient.connect(server.wsUrl)
    const b = await TestClient.connect(server.wsUrl)
    expect(server.plugin.broadcastAll('notice', 'closing at 6')).toBe(2)
    for (const client of [a, b]) {
      expect(await client.next()).toEqual({
        type: 'event',
        payload: { event: 'notice', data: 'closing at 6' },
      })
    }
  })

  it('sendToUser reaches that user’s connections only', async () => {
    const server = await start({
      authenticate: (ctx) => {
        const name = ctx.headers?.['x-user']
        return name === undefined ? undefined : { id: name }
      },
    })
    const alice = await TestClient.connect(server.wsUrl, { 'x-user': 'alice' })
    const aliceAgain = await TestClient.connect(server.wsUrl, { 'x-user': 'alice' })
    const bob = await TestClient.connect(server.wsUrl, { 'x-user': 'bob' })
    expect(server.plugin.sendToUser('alice', 'order-ready', { order: 7 })).toBe(2)
    for (const client of [alice, aliceAgain]) {
      expect(await client.next()).toEqual({
        type: 'event',
        payload: { event: 'order-ready', data: { order: 7 } },
      })
    }
    await bob.nothingFor(50)
    const users = server.plugin.connections().map((connection) => connection.userId)
    expect(users.sort()).toEqual(['alice', 'alice', 'bob'])
  })

  it('refuses more rooms than limits.rooms', async () => {
    const server = await start({ authorizeRoom: () => true, limits: { rooms: 1 } })
    const client = await TestClient.connect(server.wsUrl)
    client.send({ id: '1', type: 'join', payload: { room: 'a' } })
    await client.next()
    client.send({ id: '2', type: 'join', payload: { room: 'b' } })
    expect(await client.next()).toMatchObject({ id: '2', type: 'error', payload: { code: 'TOO_MANY_ROOMS' } })
  })

  it('answers a join without a room with INVALID_MESSAGE', async () => {
    const server = await start({ authorizeRoom: () => true })
    const client = await TestClient.connect(server.wsUrl)
    client.send({ id: '1', type: 'join', payload: {} })
    expect(await client.next()).toMatchObject({
      id: '1',
      type: 'error',
      payload: { code: 'INVALID_MESSAGE' },
    })
  })
})
