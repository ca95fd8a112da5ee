/**
 * Elements dropped with all their content unless `blockedTags` says otherwise: everything that runs code,
 * loads a document or plug-in, changes how the page around it is parsed or resolved, or animates an
 * attribute into a `javascript:` URL (SVG `animate`/`set`).
 */
export const DEFAULT_BLOCKED_TAGS: readonly string[] = Object.freeze([
  'script',
  'style',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'portal',
  'base',
  'link',
  'meta',
  'noscript',
  'noembed',
  'noframes',
  'template',
  'plaintext',
  'xmp',
  'animate',
  'animatemotion',
  'animatetransform',
  'set',
])

/** Options of `renderToHTML`. */
export interface RenderToHTMLOptions {
  /**
   * Elements nested deeper than this many levels (the root is level 1; fragments and layouts count) are
   * cut and replaced by `<!--ixp:depth-limit-->`.
   * @default 64
   */
  maxDepth?: number
  /**
   * Most nodes rendered (elements, text and attributes); beyond it the output ends with `<!--ixp:truncated-->`
   * (open elements are still closed).
   * @default 100_000
   */
  maxNodes?: number
  /**
   * Output size in characters after which rendering stops the same way (closing tags may exceed it a little).
   * @default 10_000_000
   */
  maxLength?: number
  /**
   * When given, only these tag names (case-insensitive) are emitted; any other element renders its children
   * only. Blocked tags stay blocked.
   * @default undefined (every well-formed tag name that is not blocked)
   */
  allowedTags?: readonly string[]
  /**
   * Tag names (case-insensitive) dropped together with their content. To allow one, pass the list without
   * it, e.g. `DEFAULT_BLOCKED_TAGS.filter((tag) => tag !== 'style')`. Text inside an allowed `script` or
   * `style` is emitted raw, with every `</` and `<!--` neutralised so it cannot close the element early.
   * @default DEFAULT_BLOCKED_TAGS
   */
  blockedTags?: readonly string[]
  /**
   * Puts every tag and text on its own line, indented by two spaces per level, except inside `pre`,
   * `textarea`, `script` and `style`. This changes inline whitespace: use it for reading, not for pages.
   * @default false
   */
  pretty?: boolean
}

export interface ResolvedOptions {
  maxDepth: number
  maxNodes: number
  maxLength: number
  allowedTags: ReadonlySet<string> | undefined
  blockedTags: ReadonlySet<string>
  pretty: boolean
}

const defaults = {
  maxDepth: 64,
  maxNodes: 100_000,
  maxLength: 10_000_000,
  allowedTags: undefined,
  blockedTags: DEFAULT_BLOCKED_TAGS,
  pretty: false,
}

/** Fills in defaults; malformed option values fall back to the default rather than throwing. */
export function resolveOptions(options: RenderToHTMLOptions | undefined): ResolvedOptions {
  const merged = { ...defaults, ...options }
  return {
    maxDepth: limit(merged.maxDepth, defaults.maxDepth),
    maxNodes: limit(merged.maxNodes, defaults.maxNodes),
    maxLength: limit(merged.maxLength, defaults.maxLength),
    allowedTags: Array.isArray(merged.allowedTags) ? tagSet(merged.allowedTags) : undefined,
    blockedTags: tagSet(Array.isArray(merged.blockedTags) ? merged.blockedTags : defaults.blockedTags),
    pretty: merged.pretty === true,
  }
}

function limit(value: unknown, fallback: number): number {
  return typeof value === 'number' && value >= 0 && !Number.isNaN(value) ? value : fallback
}

function tagSet(tags: readonly unknown[]): ReadonlySet<string> {
  return new Set(tags.filter((tag): tag is string => typeof tag === 'string').map((tag) => tag.toLowerCase()))
}
