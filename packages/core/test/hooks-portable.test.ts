/**
 * Differential tests of the portable hook interpreter: random hook setups run once on a stock tapable hook
 * (compiled with `new Function`) and once on a hook made portable with `'off'`, and every observable event —
 * tap calls with their arguments and context, interceptor calls, callbacks, results, errors (by identity),
 * escaped throws and unhandled rejections, in order — must match exactly.
 *
 * Reproduce a failure with `HOOKS_SEED=<seed> pnpm exec vitest run --project core hooks-portable`.
 */
import tapable from 'tapable'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makePortable } from '../src/hooks/portable.js'
import '../src/portable-hooks/index.js'

// ---------------------------------------------------------------------------------------------------------
// Seeded randomness

function prng(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

class Random {
  readonly next: () => number
  constructor(seed: number) {
    this.next = prng(seed)
  }
  int(max: number): number {
    return Math.floor(this.next() * max)
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!
  }
}

// ---------------------------------------------------------------------------------------------------------
// Scenario model: plain data, so a failing scenario prints readably

const HOOK_CLASSES = [
  'SyncHook',
  'SyncBailHook',
  'SyncWaterfallHook',
  'SyncLoopHook',
  'AsyncSeriesHook',
  'AsyncSeriesBailHook',
  'AsyncSeriesWaterfallHook',
  'AsyncSeriesLoopHook',
  'AsyncParallelHook',
  'AsyncParallelBailHook',
] as const
type HookClass = (typeof HOOK_CLASSES)[number]

type TapType = 'sync' | 'async' | 'promise'
type CallType = 'call' | 'callAsync' | 'promise'
/**
 * `now` runs in the same turn; `thenable` settles synchronously inside `then`; `thenableTwice` also calls the
 * rejection handler after fulfilling (a broken thenable).
 */
type Timing = 'now' | 'microtask' | 'immediate' | 'thenable' | 'thenableTwice'

const FALSY = [undefined, null, 0, '', false] as const

type Behaviour =
  | { do: 'return'; value: boolean }
  | { do: 'throw'; falsy: number | undefined }
  | {
      do: 'callback'
      timing: Timing
      outcome: 'error' | 'falsyErrorWithValue' | 'value' | 'nothing' | 'never'
      twice: boolean
    }
  | { do: 'resolve'; timing: Timing; value: boolean }
  | { do: 'reject'; timing: Timing; falsy: number | undefined }
  | { do: 'nonPromise'; returned: 'number' | 'null' | 'object' }

interface TapSpec {
  type: TapType
  name: string
  stage?: number
  before?: string | string[]
  context?: boolean
  /** Plain string options instead of an object (tapable's fast path). */
  asString: boolean
  behaviour: Behaviour
  /** How many times the tap produces a value before it only returns `undefined` (ends loops). */
  values: number
  /** On its first run the tap registers another tap at stage -9, shifting `hook.taps` mid-call. */
  tapsDuringCall: boolean
}

interface InterceptorSpec {
  context: boolean
  methods: ('call' | 'tap' | 'loop' | 'error' | 'result' | 'done')[]
  /** `same` returns the tap it got (tapable's `intercept` does not accept `undefined` for existing taps). */
  register: 'none' | 'same' | 'wrap'
  /** One method that throws instead of returning. */
  throws?: 'call' | 'tap' | 'loop' | 'error' | 'result' | 'done'
}

type Step =
  | { op: 'tap'; tap: TapSpec }
  | { op: 'intercept'; interceptor: InterceptorSpec }
  /** `callbackThrows`: the caller's own callback throws the first time it is called. */
  | { op: 'call'; type: CallType; callbackThrows: boolean }

interface Scenario {
  hookClass: HookClass
  argCount: number
  steps: Step[]
}

const isSyncClass = (hookClass: HookClass) => hookClass.startsWith('Sync')

function randomTiming(random: Random): Timing {
  return random.pick(['now', 'now', 'microtask', 'immediate', 'thenable', 'thenableTwice'] as const)
}

function randomBehaviour(random: Random, type: TapType): Behaviour {
  const falsy = () => (random.chance(0.5) ? random.int(FALSY.length) : undefined)
  switch (type) {
    case 'sync':
      return random.chance(0.8)
        ? { do: 'return', value: random.chance(0.5) }
        : { do: 'throw', falsy: falsy() }
    case 'async':
      if (random.chance(0.08)) return { do: 'throw', falsy: falsy() }
      return {
        do: 'callback',
        timing: randomTiming(random),
        outcome: random.pick([
          'error',
          'falsyErrorWithValue',
          'value',
          'value',
          'nothing',
          'nothing',
          'never',
        ]),
        twice: random.chance(0.1),
      }
    case 'promise': {
      const roll = random.next()
      if (roll < 0.06) return { do: 'throw', falsy: falsy() }
      if (roll < 0.12)
        return { do: 'nonPromise', returned: random.pick(['number', 'null', 'object'] as const) }
      if (roll < 0.35) return { do: 'reject', timing: randomTiming(random), falsy: falsy() }
      return { do: 'resolve', timing: randomTiming(random), value: random.chance(0.5) }
    }
  }
}

function randomScenario(random: Random): Scenario {
  const hookClass = random.pick(HOOK_CLASSES)
  const sync = isSyncClass(hookClass)
  const argCount = hookClass.includes('Waterfall') ? 1 + random.int(3) : random.int(4)
  const names: string[] = []
  const steps: Step[] = []
  const tapCount = random.pick([0, 1, 1, 2, 2, 3, 3, 4, 5, 6])
  const interceptorCount = random.pick([0, 0, 1, 1, 2])
  const callTypes: CallType[] = sync ? ['call', 'callAsync', 'promise'] : ['callAsync', 'promise']

  const newTap = (): TapSpec => {
    const type: TapType = sync
      ? 'sync'
      : random.pick(['sync', 'async', 'async', 'promise', 'promise'] as const)
    const name = names.length > 0 && random.chance(0.1) ? random.pick(names) : `t${names.length}`
    names.push(name)
    const tap: TapSpec = {
      type,
      name,
      asString: random.chance(0.3),
      behaviour: randomBehaviour(random, type),
      values: random.int(3),
      tapsDuringCall: random.chance(0.04),
    }
    if (!tap.asString) {
      if (random.chance(0.5)) tap.stage = random.int(5) - 2
      if (random.chance(0.3)) {
        const target = () => (random.chance(0.8) && names.length > 1 ? random.pick(names) : 'missing')
        tap.before = random.chance(0.7) ? target() : [target(), target()]
      }
      if (random.chance(0.25)) tap.context = true
    }
    return tap
  }
  const newInterceptor = (): InterceptorSpec => {
    const interceptor: InterceptorSpec = {
      context: random.chance(0.4),
      methods: (['call', 'tap', 'loop', 'error', 'result', 'done'] as const).filter(() => random.chance(0.6)),
      register: random.pick(['none', 'none', 'same', 'wrap'] as const),
    }
    if (interceptor.methods.length > 0 && random.chance(0.1))
      interceptor.throws = random.pick(interceptor.methods)
    return interceptor
  }
  const newCall = (): Step => {
    const type = random.pick(callTypes)
    return { op: 'call', type, callbackThrows: type === 'callAsync' && random.chance(0.08) }
  }

  const setup: Step[] = [
    ...Array.from({ length: tapCount }, (): Step => ({ op: 'tap', tap: newTap() })),
    ...Array.from({ length: interceptorCount }, (): Step => ({
      op: 'intercept',
      interceptor: newInterceptor(),
    })),
  ]
  // Interceptors registered before or after taps: `intercept` runs `register` over the existing taps.
  while (setup.length > 0) steps.push(setup.splice(random.int(setup.length), 1)[0]!)
  steps.push(newCall())
  if (random.chance(0.35)) {
    if (random.chance(0.5)) steps.push({ op: 'tap', tap: newTap() })
    steps.push(newCall())
  }
  return { hookClass, argCount, steps }
}

// ---------------------------------------------------------------------------------------------------------
// Running a scenario and recording what can be observed

type AnyFn = (...args: any[]) => any

interface AnyHook {
  call?: AnyFn
  callAsync: AnyFn
  promise: AnyFn
  tap: AnyFn
  tapAsync: AnyFn
  tapPromise: AnyFn
  intercept: AnyFn
  compile: unknown
}

/** Every observable event of one run, in order; objects and errors are named by first appearance. */
class Recorder {
  readonly events: string[] = []
  readonly #ids = new Map<unknown, number>()
  pending = 0
  /** Tap invocations left; afterwards taps turn inert so restarting loops always end. */
  budget = 200

  label(value: unknown): string {
    if (value === undefined) return 'undefined'
    if (typeof value === 'string') return JSON.stringify(value)
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return String(value)
    let id = this.#ids.get(value)
    if (id === undefined) this.#ids.set(value, (id = this.#ids.size))
    if (value instanceof Error) return `Error#${id}(${value.message})`
    return `${typeof value}#${id}{${Object.keys(value).join(',')}}`
  }

  log(...parts: unknown[]): void {
    this.events.push(parts.map((part) => (typeof part === 'string' ? part : this.label(part))).join(' '))
  }

  /** Runs `fn` later; a throw that escapes into it is recorded, as the hook's caller would have seen it. */
  defer(timing: 'microtask' | 'immediate', fn: () => void): void {
    this.pending++
    const guarded = () => {
      this.pending--
      try {
        fn()
      } catch (err) {
        this.log('escaped', err)
      }
    }
    if (timing === 'microtask') queueMicrotask(guarded)
    else setImmediate(guarded)
  }

  async settle(): Promise<void> {
    for (let quiet = 0; quiet < 2;) {
      await new Promise((resolve) => setImmediate(resolve))
      quiet = this.pending === 0 ? quiet + 1 : 0
    }
  }
}

function settleLater<T>(rec: Recorder, timing: Timing, ok: boolean, value: unknown): PromiseLike<T> {
  switch (timing) {
    case 'now':
      return ok ? Promise.resolve(value as T) : Promise.reject(value)
    case 'thenable':
    case 'thenableTwice':
      return {
        then(onFulfilled?: AnyFn | null, onRejected?: AnyFn | null) {
          rec.log('thenable.then')
          if (ok) onFulfilled?.(value)
          else onRejected?.(value)
          if (timing === 'thenableTwice') onRejected?.(new Error('thenable rejects after fulfilling'))
          return undefined as never
        },
      }
    default:
      return new Promise<T>((resolve, reject) =>
        rec.defer(timing, () => (ok ? resolve(value as T) : reject(value))),
      )
  }
}

function makeTapFn(rec: Recorder, spec: TapSpec, hook: AnyHook, waterfall: boolean): AnyFn {
  let valuesLeft = spec.values
  let invocations = 0
  return (...received: unknown[]) => {
    invocations++
    const context = spec.context ? received.shift() : undefined
    const callback = spec.type === 'async' ? (received.pop() as AnyFn) : undefined
    rec.log(`tap ${spec.name} (${spec.type})`, 'args', received.map((arg) => rec.label(arg)).join(','))
    if (spec.context) {
      rec.log('  context', context)
      if (context && typeof context === 'object') (context as Record<string, number>)[spec.name] = invocations
    }
    if (spec.tapsDuringCall && invocations === 1) {
      hook.tap({ name: `${spec.name}+`, stage: -9 }, () => rec.log(`tap ${spec.name}+`))
    }
    const inert = --rec.budget < 0
    const produce = () => {
      if (inert || valuesLeft <= 0) return undefined
      valuesLeft--
      return waterfall ? `${String(received[0])}>${spec.name}` : `${spec.name}:${invocations}`
    }
    const error = (falsy: number | undefined) =>
      falsy === undefined ? new Error(`${spec.name} failed #${invocations}`) : FALSY[falsy]
    const behaviour = spec.behaviour
    if (inert) {
      if (callback) return callback()
      return spec.type === 'promise' ? Promise.resolve(undefined) : undefined
    }
    switch (behaviour.do) {
      case 'return':
        return behaviour.value ? produce() : undefined
      case 'throw':
        throw error(behaviour.falsy)
      case 'nonPromise':
        return behaviour.returned === 'number'
          ? 42
          : behaviour.returned === 'null'
            ? null
            : { not: 'a promise' }
      case 'resolve':
        return settleLater(rec, behaviour.timing, true, behaviour.value ? produce() : undefined)
      case 'reject':
        return settleLater(rec, behaviour.timing, false, error(behaviour.falsy))
      case 'callback': {
        if (behaviour.outcome === 'never') return undefined
        const respond = () => {
          const returned =
            behaviour.outcome === 'error'
              ? callback!(error(undefined))
              : behaviour.outcome === 'falsyErrorWithValue'
                ? callback!(0, produce())
                : behaviour.outcome === 'value'
                  ? callback!(null, produce())
                  : callback!()
          rec.log(`  ${spec.name} callback returned`, returned)
        }
        const times = behaviour.twice ? 2 : 1
        for (let i = 0; i < times; i++) {
          const timing = behaviour.timing
          if (timing === 'microtask' || timing === 'immediate') rec.defer(timing, respond)
          else respond()
        }
        return undefined
      }
    }
  }
}

function isTap(value: unknown): value is { name: string; type: string } {
  return typeof value === 'object' && value !== null && 'fn' in value
}

function makeInterceptor(rec: Recorder, spec: InterceptorSpec, index: number): Record<string, unknown> {
  const interceptor: Record<string, unknown> = { name: `i${index}` }
  if (spec.context) interceptor.context = true
  for (const method of spec.methods) {
    interceptor[method] = (...received: unknown[]) => {
      if (spec.throws === method) throw new Error(`i${index}.${method} failed`)
      rec.log(
        `interceptor i${index}.${method}`,
        received.map((arg) => (isTap(arg) ? `tap(${arg.name},${arg.type})` : rec.label(arg))).join(','),
      )
    }
  }
  if (spec.register !== 'none') {
    interceptor.register = (tap: { name: string; fn: AnyFn }) => {
      rec.log(`interceptor i${index}.register`, tap.name)
      if (spec.register === 'same') return tap
      const inner = tap.fn
      return {
        ...tap,
        fn: (...args: unknown[]) => {
          rec.log(`  via register i${index}`)
          return inner(...args)
        },
      }
    }
  }
  return interceptor
}

async function runScenario(rec: Recorder, scenario: Scenario, portable: boolean): Promise<void> {
  const argNames = Array.from({ length: scenario.argCount }, (_, i) => `arg${i}`)
  const hook = new (tapable as unknown as Record<HookClass, new (args: string[]) => AnyHook>)[
    scenario.hookClass
  ](argNames)
  if (portable) makePortable(hook as never, 'off')
  const waterfall = scenario.hookClass.includes('Waterfall')
  let interceptors = 0
  let calls = 0
  for (const step of scenario.steps) {
    switch (step.op) {
      case 'tap': {
        const { tap } = step
        const options = tap.asString
          ? tap.name
          : {
              name: tap.name,
              ...(tap.stage === undefined ? {} : { stage: tap.stage }),
              ...(tap.before === undefined ? {} : { before: tap.before }),
              ...(tap.context ? { context: true } : {}),
            }
        const fn = makeTapFn(rec, tap, hook, waterfall)
        const method = tap.type === 'sync' ? 'tap' : tap.type === 'async' ? 'tapAsync' : 'tapPromise'
        hook[method](options, fn)
        break
      }
      case 'intercept':
        hook.intercept(makeInterceptor(rec, step.interceptor, interceptors++))
        break
      case 'call': {
        calls++
        const args = argNames.map((name) => `${name}.${calls}`)
        rec.log(`--- ${step.type} #${calls}`)
        try {
          if (step.type === 'call') {
            rec.log('returned', hook.call!(...args))
          } else if (step.type === 'callAsync') {
            let callbacks = 0
            const returned = hook.callAsync(...args, (...results: unknown[]) => {
              rec.log('callback', results.map((result) => rec.label(result)).join(','))
              if (step.callbackThrows && ++callbacks === 1) throw new Error('callback failed')
            })
            rec.log('callAsync returned', returned)
          } else {
            const promise = hook.promise(...args) as Promise<unknown>
            promise.then(
              (value) => rec.log('resolved', value),
              (err) => rec.log('rejected', err),
            )
            rec.log('promise returned')
          }
        } catch (err) {
          rec.log('threw', err)
        }
        await rec.settle()
        break
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------

/** Unhandled rejections are an observable outcome (tapable lets some escape); record them instead of failing. */
let recordUnhandled: ((reason: unknown) => void) | undefined
const saved: NodeJS.UnhandledRejectionListener[] = []
const onUnhandled: NodeJS.UnhandledRejectionListener = (reason, promise) => {
  if (recordUnhandled) recordUnhandled(reason)
  else for (const listener of saved) listener(reason, promise)
}

beforeAll(() => {
  saved.push(...process.listeners('unhandledRejection'))
  process.removeAllListeners('unhandledRejection')
  process.on('unhandledRejection', onUnhandled)
})
afterAll(() => {
  process.off('unhandledRejection', onUnhandled)
  for (const listener of saved) process.on('unhandledRejection', listener)
})

async function observe(scenario: Scenario, portable: boolean): Promise<string[]> {
  const rec = new Recorder()
  recordUnhandled = (reason) => rec.log('unhandled rejection', reason)
  try {
    await runScenario(rec, scenario, portable)
  } finally {
    recordUnhandled = undefined
  }
  return rec.events
}

const SEED = Number(process.env.HOOKS_SEED ?? Math.floor(Math.random() * 2 ** 31))
const CASES = Number(process.env.HOOKS_CASES ?? 500)

describe('portable hooks against compiled tapable hooks', () => {
  it(
    `behave identically on ${CASES} random setups (seed ${SEED})`,
    async () => {
      console.log(`hooks-portable: seed ${SEED} (HOOKS_SEED=${SEED} to reproduce)`)
      const random = new Random(SEED)
      const seen = new Set<string>()
      const failures: string[] = []
      for (let index = 0; index < CASES && failures.length === 0; index++) {
        const scenario = randomScenario(random)
        const compiled = await observe(scenario, false)
        const interpreted = await observe(scenario, true)
        for (const step of scenario.steps)
          if (step.op === 'call') seen.add(`${scenario.hookClass}.${step.type}`)
        const diverges = compiled.findIndex((event, i) => event !== interpreted[i])
        if (diverges >= 0 || compiled.length !== interpreted.length) {
          failures.push(
            `seed ${SEED}, case ${index}: ${JSON.stringify(scenario)}\n` +
              `compiled:\n  ${compiled.join('\n  ')}\ninterpreted:\n  ${interpreted.join('\n  ')}`,
          )
        }
      }
      expect(failures, failures[0]).toEqual([])
      // Every hook class met every call type it supports.
      expect(seen.size).toBe(4 * 3 + 6 * 2)
    },
    20_000 + CASES * 5,
  )
})
