import { describe, expect, it } from 'vitest'
import { createEngine, type IxpPlugin } from '../src/index.js'
import { sharedBus, type MessageBus } from '../src/plugin-kit/index.js'

/** A bus that only records what was published (the contract is what is tested here, not a transport). */
function recordingBus(name: string): MessageBus & { sent: [string, unknown][] } {
  const sent: [string, unknown][] = []
  return {
    name,
    sent,
    publish: async (topic, message) => {
      sent.push([topic, message])
    },
    subscribe: async () => () => undefined,
  }
}

function offering(name: string, bus: MessageBus): IxpPlugin {
  return {
    name,
    apply(engine) {
      return engine.extension(sharedBus).offer({ bus, by: name, relaysInvalidations: true })
    },
  }
}

describe('sharedBus', () => {
  it('finds the bus a plugin offers from a ready tap, whatever the order the plugins were installed in', async () => {
    const bus = recordingBus('test')
    let found: string | undefined
    const user: IxpPlugin = {
      name: 'user',
      apply(engine) {
        engine.hooks.ready.tapPromise('user:bus', async () => {
          found = engine.extension(sharedBus).current?.by
          await engine.extension(sharedBus).current?.bus.publish('topic', { hello: 1 })
        })
      },
    }
    const engine = createEngine({ plugins: [user, offering('provider', bus)] })
    await engine.ready()
    expect(found).toBe('provider')
    expect(bus.sent).toEqual([['topic', { hello: 1 }]])
    await engine.close()
  })

  it('keeps the first offer standing; withdrawing it hands over to the next, and unuse withdraws', async () => {
    const first = recordingBus('first')
    const second = recordingBus('second')
    const engine = createEngine({ plugins: [offering('one', first), offering('two', second)] })
    await engine.ready()
    const slot = engine.extension(sharedBus)
    expect(slot.current?.bus).toBe(first)
    await engine.unuse('one')
    expect(slot.current?.bus).toBe(second)
    await engine.close()
    expect(slot.current).toBeUndefined()
  })

  it('is per engine: an engine whose plugins offer nothing has no bus', async () => {
    const engine = createEngine({ plugins: [offering('one', recordingBus('one'))] })
    const other = createEngine()
    await Promise.all([engine.ready(), other.ready()])
    expect(engine.extension(sharedBus).current?.by).toBe('one')
    expect(other.extension(sharedBus).current).toBeUndefined()
    await Promise.all([engine.close(), other.close()])
  })
})
