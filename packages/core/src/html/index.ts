/**
 * `@ixp/core/html`: safe server-side serialisation of IXP render trees to HTML.
 */
export { renderToHTML, Markers } from './render.js'
export { DEFAULT_BLOCKED_TAGS, type RenderToHTMLOptions } from './options.js'
export { escapeHtml } from './escape.js'
export { isDangerousUrl } from './url.js'
