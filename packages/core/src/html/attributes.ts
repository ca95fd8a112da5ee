import { escapeHtml } from './escape.js'
import { isSafeAttributeName } from './names.js'
import { renderStyle } from './style.js'
import { isDangerousSrcset, isDangerousUrl, isScriptUrl, URL_ATTRIBUTES } from './url.js'

/** Prop names renamed to their attribute (the DOM-property spelling some trees use). */
const RENAMED: ReadonlyMap<string, string> = new Map([
  ['className', 'class'],
  ['htmlFor', 'for'],
])

/** Props that are never attributes: tree plumbing, and ways to inject markup or a document. */
const NEVER = new Set([
  'children',
  'key',
  'ref',
  'dangerouslysetinnerhtml',
  'innerhtml',
  'outerhtml',
  'srcdoc',
])

/**
 * Serialises props to ` name="value"` pairs. Dropped: malformed names, every `on*` handler, `srcdoc` and
 * markup-injecting props, values that are objects, functions or symbols (except `style` objects and `class`
 * arrays), dangerous URLs in URL attributes, script URLs anywhere, and duplicates (the first wins, as in a
 * browser). `true` is a bare attribute and `false` omits it, except for `aria-*`/`data-*` which take
 * `"true"`/`"false"`. Each pair costs one unit of `budget`; a prop whose getter throws is skipped.
 */
export function renderAttributes(props: unknown, budget: { left: number }): string {
  if (typeof props !== 'object' || props === null) return ''
  let keys: string[]
  try {
    keys = Object.keys(props)
  } catch {
    return ''
  }
  const seen = new Set<string>()
  let out = ''
  for (const key of keys) {
    if (budget.left <= 0) break
    const name = RENAMED.get(key) ?? key
    const lower = name.toLowerCase()
    if (NEVER.has(lower) || lower.startsWith('on') || seen.has(lower) || !isSafeAttributeName(name)) continue
    let text: string | undefined
    try {
      text = attributeText(lower, (props as Record<string, unknown>)[key])
    } catch {
      continue
    }
    if (text === undefined) continue
    seen.add(lower)
    budget.left--
    out += text === '' && !isDataLike(lower) ? ` ${name}` : ` ${name}="${escapeHtml(text)}"`
  }
  return out
}

/** The value as attribute text; `''` with a bare attribute meaning for `true`; `undefined` to omit it. */
function attributeText(name: string, value: unknown): string | undefined {
  if (name === 'style') return renderStyle(value)
  let text: string
  switch (typeof value) {
    case 'string':
      text = value
      break
    case 'number':
      if (!Number.isFinite(value)) return undefined
      text = String(value)
      break
    case 'bigint':
      text = String(value)
      break
    case 'boolean':
      if (isDataLike(name)) return String(value)
      return value ? '' : undefined
    case 'object':
      if (name !== 'class' || !Array.isArray(value)) return undefined
      text = value.filter((item) => typeof item === 'string' || typeof item === 'number').join(' ')
      break
    default:
      return undefined
  }
  if (name === 'srcset' || name === 'imagesrcset') return isDangerousSrcset(text) ? undefined : text
  if (URL_ATTRIBUTES.has(name)) return isDangerousUrl(text) ? undefined : text
  return isScriptUrl(text) ? undefined : text
}

function isDataLike(name: string): boolean {
  return name.startsWith('aria-') || name.startsWith('data-')
}
