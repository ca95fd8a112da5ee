/** The object checks of every package. */

/** `true` for a non-null object that is not an array: what JSON calls an object, as option and definition checks need. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * `true` for an object whose prototype is `Object.prototype` or `null` (what an object literal or `JSON.parse`
 * makes): not an array, a class instance or a proxy whose prototype lookup throws.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  try {
    const proto: unknown = Object.getPrototypeOf(value)
    return proto === Object.prototype || proto === null
  } catch {
    return false
  }
}
