/** Elements without content or end tag. */
export const VOID_ELEMENTS: ReadonlySet<string> = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
])

/** Elements whose content is raw text: only text children are emitted, neutralised rather than escaped. */
export const RAW_TEXT_ELEMENTS: ReadonlySet<string> = new Set(['script', 'style'])

/** Elements whose content is text (entities decoded, tags not parsed): only text children are emitted. */
export const TEXT_ONLY_ELEMENTS: ReadonlySet<string> = new Set(['textarea', 'title'])

/** Elements whose whitespace is content, so `pretty` leaves their inside alone. */
export const WHITESPACE_ELEMENTS: ReadonlySet<string> = new Set([
  'pre',
  'textarea',
  'script',
  'style',
  'listing',
])

/** A letter, then letters, digits or hyphens (custom elements, SVG's camelCase names). */
export function isSafeTagName(name: string): boolean {
  return name.length <= 128 && /^[a-zA-Z][a-zA-Z0-9-]*$/.test(name)
}

/** A letter, then letters, digits, `_`, `.`, `:` or `-` (`data-*`, `aria-*`, `xlink:href`). */
export function isSafeAttributeName(name: string): boolean {
  return name.length <= 128 && /^[a-zA-Z][a-zA-Z0-9_.:-]*$/.test(name)
}
