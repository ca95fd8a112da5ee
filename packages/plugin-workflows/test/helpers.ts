import {
  createEngine,
  silentLogger,
  type Engine,
  type EngineOptions,
  type IntentDefinition,
  type IxpContext,
  type Logger,
} from '@ixp/core'
import type { WorkflowClock } from '../src/index.js'

/** A clock the test moves by hand: timers fire only inside `advance()`. */
export function manualClock() {
  let now = 0
  let sequence = 0
  const timers: { at: number; seq: number; callback: () => void }[] = []
  /** Every delay asked of `setTimeout`, in order. */
  const requested: number[] = []
  const clock: WorkflowClock & {
    requested: number[]
    pending: () => number
    advance: (ms: number) => Promise<void>
    next: () => Promise<number | undefined>
  } = {
    requested,
    now: () => now,
    setTimeout(callback, ms) {
      requested.push(ms)
      const timer = { at: now + ms, seq: sequence++, callback }
      timers.push(timer)
      return timer
    },
    clearTimeout(handle) {
      const index = timers.indexOf(handle as (typeof timers)[number])
      if (index >= 0) timers.splice(index, 1)
    },
    pending: () => timers.length,
    /** Moves time forward, firing due timers in order and letting the work they start settle. */
    async advance(ms) {
      const target = now + ms
      for (;;) {
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq)
        const due = timers[0]
        if (!due || due.at > target) break
        timers.shift()
        now = due.at
        due.callback()
        await settle()
      }
      now = target
      await settle()
    },
    /** Fires the earliest timer (moving time to it); returns how far time moved, or undefined if none. */
    async next() {
      timers.sort((a, b) => a.at - b.at || a.seq - b.seq)
      const due = timers[0]
      if (!due) return undefined
      const moved = due.at - now
      await clock.advance(moved)
      return moved
    },
  }
  return clock
}

/** Lets pending promise chains run (a few turns of the event loop, no timers). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/** Polls `check` until it holds, failing after `timeoutMs`. */
export async function eventually(check: () => boolean, what = 'condition', timeoutMs = 2_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`)
    await new Promise<void>((resolve) => setTimeout(resolve, 2))
  }
}

export function deferred<T = void>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** A logger that keeps what it is told. */
export function recordingLogger(): Logger & { lines: { level: string; message: string; data?: unknown }[] } {
  const lines: { level: string; message: string; data?: unknown }[] = []
  const at = (level: string) => (message: string, data?: unknown) => {
    lines.push({ level, message, data })
  }
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/** A server component that renders its props' keys, shared by the test intents. */
export const Card = {
  name: 'Card',
  render: (props: Record<string, unknown>) => ({
    type: 'section',
    props: { class: 'card' },
    children: [Object.keys(props).sort().join(',')],
  }),
}

type Handler = NonNullable<IntentDefinition['handler']>

/** An intent rendering `Card`, open parameters (nothing stripped), with the given handler. */
export function intent(
  name: string,
  handler: Handler,
  extra: Partial<IntentDefinition> = {},
): IntentDefinition {
  return {
    name,
    description: `Test intent ${name}`,
    component: 'Card',
    parameters: { type: 'object' },
    handler,
    ...extra,
  }
}

/** An engine with `Card`, the given intents, and nothing else (plugins are added by the test). */
export function engineWith(intents: IntentDefinition[], options: EngineOptions = {}): Engine {
  const engine = createEngine({ logger: silentLogger, ...options })
  engine.registerComponent(Card)
  for (const definition of intents) engine.registerIntent(definition)
  return engine
}

/** A handler that records each call (parameters and context) and answers `answer(params, call)`. */
export function recorder(answer: (params: Record<string, unknown>, call: number) => unknown = () => ({})) {
  const calls: { params: Record<string, unknown>; ctx: IxpContext }[] = []
  const handler = async (params: Record<string, unknown>, ctx: IxpContext) => {
    calls.push({ params, ctx })
    return (await answer(params, calls.length)) as Record<string, unknown> | void
  }
  return { calls, handler }
}
