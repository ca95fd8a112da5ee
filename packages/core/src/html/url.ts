import { decodeEntities } from './entities.js'

/** Attributes whose value a browser loads or navigates to (lower-case). */
export const URL_ATTRIBUTES: ReadonlySet<string> = new Set([
  'href',
  'src',
  'action',
  'formaction',
  'xlink:href',
  'poster',
  'background',
  'cite',
  'codebase',
  'data',
  'longdesc',
  'manifest',
  'ping',
  'profile',
  'usemap',
  'dynsrc',
  'lowsrc',
  'icon',
  'archive',
  'classid',
  'itemtype',
  'srcset',
  'imagesrcset',
])

/** Schemes that run code, or carry a whole document, when navigated to or loaded. */
const SCRIPT_SCHEMES = new Set(['javascript', 'vbscript', 'livescript', 'mocha'])
const URL_BLOCKED_SCHEMES = new Set([...SCRIPT_SCHEMES, 'data'])

/**
 * The scheme a browser would see, lower-cased, or `undefined` for a relative URL. Character references are
 * decoded (repeatedly, for double encodings) and all whitespace and control characters removed first, since
 * browsers skip them (`java\tscript:`, `&#106;avascript:`, `&#x6A;avascript&colon;`).
 */
export function urlScheme(value: string): string | undefined {
  // Without a colon or a character reference that could encode one, there is no scheme.
  if (!value.includes(':') && !value.includes('&')) return undefined
  let decoded = value
  for (let round = 0; round < 3 && decoded.includes('&'); round++) {
    const next = decodeEntities(decoded)
    if (next === decoded) break
    decoded = next
  }
  const compact = decoded.replace(/[\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\ufeff]+/g, '')
  return /^([a-z][a-z0-9+.-]*):/i.exec(compact)?.[1]?.toLowerCase()
}

/** True when a URL attribute's value must be dropped: `javascript:`, `vbscript:` or `data:` in any disguise. */
export function isDangerousUrl(value: string): boolean {
  const scheme = urlScheme(value)
  return scheme !== undefined && URL_BLOCKED_SCHEMES.has(scheme)
}

/** True when any attribute's value is a script URL (a defence for attributes a browser or library may follow). */
export function isScriptUrl(value: string): boolean {
  const scheme = urlScheme(value)
  return scheme !== undefined && SCRIPT_SCHEMES.has(scheme)
}

/** A `srcset` is dangerous when the whole value or any of its comma-separated candidates is. */
export function isDangerousSrcset(value: string): boolean {
  return (
    isDangerousUrl(value) ||
    // Whole candidates are checked (URL and descriptor): whitespace removal then cannot hide a scheme.
    decodeEntities(value)
      .split(',')
      .some((candidate) => isDangerousUrl(candidate))
  )
}
