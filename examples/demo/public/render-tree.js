// Render trees (`{ type, props, children }`) to DOM nodes for the demo's pages: allow-listed tags and attributes,
// text only — a tree never carries markup or script.

const TAGS = new Set([
  'section',
  'article',
  'header',
  'pre',
  'div',
  'span',
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'strong',
  'em',
  'code',
  'small',
  'ul',
  'ol',
  'li',
  'dl',
  'dt',
  'dd',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'details',
  'summary',
  'time',
  'a',
  'br',
])
const ATTRIBUTES = new Set(['class', 'scope', 'datetime', 'aria-label', 'aria-current', 'title', 'href'])

export function toDom(node) {
  if (node === null || node === undefined || typeof node === 'boolean') return document.createTextNode('')
  if (typeof node !== 'object') return document.createTextNode(String(node))
  if (Array.isArray(node)) {
    const fragment = document.createDocumentFragment()
    for (const child of node) fragment.append(toDom(child))
    return fragment
  }
  const tag = TAGS.has(node.type) ? node.type : 'div'
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(node.props ?? {})) {
    if (!ATTRIBUTES.has(name) || value === null || value === undefined || typeof value === 'object') continue
    if (name === 'href' && !/^(https?:|mailto:|tel:|\/)/.test(String(value))) continue
    element.setAttribute(name, String(value))
  }
  for (const child of node.children ?? []) element.append(toDom(child))
  return element
}
