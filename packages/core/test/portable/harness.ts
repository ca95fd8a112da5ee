/**
 * A tiny test harness with no dependencies, for runtimes where vitest cannot run: its runner needs code
 * generation from strings, which workerd and `node --disallow-code-generation-from-strings` forbid.
 * Suites call `describe` / `test` at module load; `runTests()` runs them in order and reports JSON-safe results.
 */

export interface CaseResult {
  name: string
  ok: boolean
  /** The failure's message (and stack when the runtime gives one). */
  error?: string
}

export interface SuiteReport {
  /** Where the suite ran (user agent, or `node <version>`). */
  runtime: string
  /** Whether `new Function` worked there. */
  codeGeneration: boolean
  results: CaseResult[]
}

interface Case {
  name: string
  fn: () => unknown
  timeoutMs: number | undefined
}

const cases: Case[] = []
let prefix = ''

/** Groups tests under a name prefix. */
export function describe(name: string, body: () => void): void {
  const outer = prefix
  prefix = `${outer}${name} > `
  try {
    body()
  } finally {
    prefix = outer
  }
}

/** Registers a test; `timeoutMs` overrides the run's per-test timeout. */
export function test(name: string, fn: () => unknown, { timeoutMs }: { timeoutMs?: number } = {}): void {
  cases.push({ name: `${prefix}${name}`, fn, timeoutMs })
}

export function codeGenerationWorks(): boolean {
  try {
    return new Function('return true')() === true
  } catch {
    return false
  }
}

function runtimeName(): string {
  const nav = (globalThis as { navigator?: { userAgent?: string } }).navigator
  const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node
  if (node) return `node ${node}`
  return nav?.userAgent ?? 'unknown'
}

function describeError(error: unknown): string {
  if (error instanceof Error)
    return error.stack?.includes(error.message) ? error.stack : `${error.message}\n${error.stack ?? ''}`
  return `non-error thrown: ${format(error)}`
}

/** Runs every registered test in order; each gets `timeoutMs` before it counts as failed. */
export async function runTests({ timeoutMs = 10_000 }: { timeoutMs?: number } = {}): Promise<SuiteReport> {
  const results: CaseResult[] = []
  for (const { name, fn, timeoutMs: own } of cases) {
    const limit = own ?? timeoutMs
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      await Promise.race([
        (async () => fn())(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${limit} ms`)), limit)
        }),
      ])
      results.push({ name, ok: true })
    } catch (error) {
      results.push({ name, ok: false, error: describeError(error) })
    } finally {
      clearTimeout(timer)
    }
  }
  return { runtime: runtimeName(), codeGeneration: codeGenerationWorks(), results }
}

// -------------------------------------------------------------------------------------------------
// Assertions

export class AssertionError extends Error {
  override name = 'AssertionError'
}

export function format(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`
  if (value instanceof Error) return `${value.name}(${JSON.stringify(value.message)})`
  try {
    const json = JSON.stringify(value, (_key, item: unknown) =>
      item === undefined ? '<undefined>' : typeof item === 'bigint' ? `${item}n` : item,
    )
    return json === undefined ? String(value) : json
  } catch {
    return String(value)
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message)
}

/** Structural equality: same primitives (Object.is), arrays and objects with equal own enumerable keys. */
export function isEqual(actual: unknown, expected: unknown): boolean {
  if (Object.is(actual, expected)) return true
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null)
    return false
  if (Array.isArray(actual) !== Array.isArray(expected)) return false
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) return false
  const actualKeys = Object.keys(actual)
  const expectedKeys = Object.keys(expected)
  if (actualKeys.length !== expectedKeys.length) return false
  return expectedKeys.every(
    (key) =>
      Object.prototype.hasOwnProperty.call(actual, key) &&
      isEqual((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key]),
  )
}

export function equal(actual: unknown, expected: unknown, message = 'values differ'): void {
  if (!isEqual(actual, expected)) {
    throw new AssertionError(`${message}\n  expected: ${format(expected)}\n  actual:   ${format(actual)}`)
  }
}

/** Every key of `expected` matches in `actual` (recursively for plain objects), like a partial `equal`. */
export function matches(
  actual: unknown,
  expected: Record<string, unknown>,
  message = 'object does not match',
): void {
  const check = (value: unknown, pattern: unknown, path: string): void => {
    if (pattern !== null && typeof pattern === 'object' && !Array.isArray(pattern)) {
      if (value === null || typeof value !== 'object') {
        throw new AssertionError(`${message}: ${path || 'value'} is ${format(value)}, expected an object`)
      }
      for (const [key, item] of Object.entries(pattern)) {
        check((value as Record<string, unknown>)[key], item, path ? `${path}.${key}` : key)
      }
      return
    }
    if (!isEqual(value, pattern)) {
      throw new AssertionError(`${message}: ${path} is ${format(value)}, expected ${format(pattern)}`)
    }
  }
  check(actual, expected, '')
}

export interface ErrorExpectation {
  /** `instanceof` check. */
  type?: abstract new (...args: never[]) => unknown
  /** A substring or pattern of the message. */
  message?: string | RegExp
  /** Other own fields, e.g. `{ code: 'INVALID_REQUEST' }`. */
  fields?: Record<string, unknown>
}

function checkError(error: unknown, expected: ErrorExpectation): void {
  if (expected.type && !(error instanceof expected.type)) {
    throw new AssertionError(`expected an instance of ${expected.type.name}, got ${format(error)}`)
  }
  if (expected.message !== undefined) {
    const text = (error as { message?: unknown } | null)?.message
    const ok =
      typeof text === 'string' &&
      (typeof expected.message === 'string' ? text.includes(expected.message) : expected.message.test(text))
    if (!ok)
      throw new AssertionError(`expected a message matching ${String(expected.message)}, got ${format(text)}`)
  }
  if (expected.fields) matches(error, expected.fields, 'error does not match')
}

/** Asserts that `fn` throws synchronously; returns what it threw. */
export function throws(fn: () => unknown, expected: ErrorExpectation = {}): unknown {
  try {
    fn()
  } catch (error) {
    checkError(error, expected)
    return error
  }
  throw new AssertionError('expected a throw, but the function returned')
}

/** Asserts that the promise (or the promise `fn` returns) rejects; returns the reason. */
export async function rejects(
  promise: Promise<unknown> | (() => Promise<unknown>),
  expected: ErrorExpectation = {},
): Promise<unknown> {
  try {
    await (typeof promise === 'function' ? promise() : promise)
  } catch (error) {
    checkError(error, expected)
    return error
  }
  throw new AssertionError('expected a rejection, but the promise resolved')
}

/** Resolves after `ms` milliseconds (timers exist on every runtime; `setImmediate` does not). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
