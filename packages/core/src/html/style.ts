import { isPlainObject } from '../tree/values.js'
import { decodeEntities } from './entities.js'

/** Properties whose numbers carry no unit (others get `px`, as in the DOM's style objects). */
const UNITLESS = new Set([
  'animation-iteration-count',
  'aspect-ratio',
  'border-image-outset',
  'border-image-slice',
  'border-image-width',
  'column-count',
  'columns',
  'fill-opacity',
  'flex',
  'flex-grow',
  'flex-shrink',
  'flood-opacity',
  'font-weight',
  'grid-area',
  'grid-column',
  'grid-column-end',
  'grid-column-start',
  'grid-row',
  'grid-row-end',
  'grid-row-start',
  'line-clamp',
  'line-height',
  'opacity',
  'order',
  'orphans',
  'scale',
  'stop-opacity',
  'stroke-dasharray',
  'stroke-dashoffset',
  'stroke-miterlimit',
  'stroke-opacity',
  'stroke-width',
  'tab-size',
  'widows',
  'z-index',
  'zoom',
])

/**
 * Serialises a `style` prop (a string, or an object of camelCase or kebab-case properties) to a declaration
 * list. Object entries with a malformed name, a value that is not a string or finite number, or a value
 * containing `;`, `{` or `}` (which would smuggle in more declarations) are skipped. The whole style is
 * dropped (`undefined`) when it could run code or load a script: `expression(`, `javascript:`/`vbscript:`,
 * `-moz-binding`, `behavior`, `@import`, including CSS-escaped, commented and entity-encoded forms.
 */
export function renderStyle(value: unknown): string | undefined {
  let css: string
  if (typeof value === 'string') css = value
  else if (isPlainObject(value)) css = declarations(value)
  else return undefined
  return css.length > 0 && !isDangerousCss(css) ? css : undefined
}

function declarations(style: Record<string, unknown>): string {
  const out: string[] = []
  for (const key of Object.keys(style)) {
    const name = key.startsWith('--') ? key : cssName(key)
    if (!/^-{0,2}[a-zA-Z][a-zA-Z0-9-]*$/.test(name)) continue
    const raw = style[key]
    let text: string
    if (typeof raw === 'string') text = raw.trim()
    else if (typeof raw === 'number' && Number.isFinite(raw)) {
      text = raw === 0 || name.startsWith('--') || UNITLESS.has(name) ? String(raw) : `${raw}px`
    } else continue
    if (text.length === 0 || /[;{}]/.test(text)) continue
    out.push(`${name}:${text}`)
  }
  return out.join(';')
}

/** `backgroundColor` → `background-color`, `WebkitTransform` → `-webkit-transform`, `msFlex` → `-ms-flex`. */
function cssName(key: string): string {
  const kebab = key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)
  return kebab.startsWith('ms-') ? `-${kebab}` : kebab
}

/** True when CSS text, once comments, escapes, entities and whitespace are removed, could run code. */
export function isDangerousCss(css: string): boolean {
  const normalized = decodeEntities(css)
    .replace(/\/\*[\s\S]*?(\*\/|$)/g, '')
    .replace(/\\([0-9a-fA-F]{1,6})\s?/g, (_, hex: string) => codePoint(parseInt(hex, 16)))
    .replace(/\\([\s\S])/g, '$1')
    .replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, '')
    .toLowerCase()
  return /expression\(|javascript:|vbscript:|livescript:|-moz-binding|behavio(u)?r:|@import/.test(normalized)
}

function codePoint(value: number): string {
  return value > 0 && value <= 0x10ffff ? String.fromCodePoint(value) : '\ufffd'
}
