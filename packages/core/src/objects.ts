/** The one object check of every package (a plain-ish record: an object, not null, not an array). */

/** `true` for a non-null object that is not an array: what JSON calls an object, as option and definition checks need. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
