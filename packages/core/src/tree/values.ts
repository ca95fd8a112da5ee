import { isPlainObject } from '../objects.js'

export { isPlainObject }

/** Keys that must never be written into an object built from untrusted input. */
export function isPollutingKey(key: string): boolean {
  return key === '__proto__'
}

/** A short, safe description of a value for error messages (never calls user code that may throw). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (isArraySafe(value)) return 'an array'
  switch (typeof value) {
    case 'string':
      return 'a string'
    case 'number':
      return Number.isFinite(value) ? 'a number' : `the number ${String(value)}`
    case 'function':
      return 'a function'
    case 'symbol':
      return 'a symbol'
    case 'bigint':
      return 'a bigint'
    case 'object': {
      if (isPlainObject(value)) return 'a plain object'
      try {
        const name: unknown = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)
          ?.constructor?.name
        return typeof name === 'string' && name ? `an instance of ${name}` : 'an object'
      } catch {
        return 'an object'
      }
    }
    default:
      return String(typeof value)
  }
}

/** True for promises and promise-likes. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/** Sets an own enumerable property, even for a key like `__proto__` (plain assignment would change the prototype). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

/** `Array.isArray` that reads a revoked Proxy as "not an array" instead of throwing. */
export function isArraySafe(value: unknown): value is readonly unknown[] {
  try {
    return Array.isArray(value)
  } catch {
    return false
  }
}
