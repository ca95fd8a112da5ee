const significant = /[&<>"'\u0000]/

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '\u0000': '',
}

/**
 * Escapes text for both element content and quoted attribute values. `<` and `>` are escaped in attributes
 * too, so no value can end a raw-text element (`</noscript>`, `</title>`) when a browser re-parses it.
 */
export function escapeHtml(text: string): string {
  return significant.test(text) ? text.replace(/[&<>"'\u0000]/g, (char) => escapes[char]!) : text
}

/**
 * Makes text safe inside an allowed raw-text element (`script`, `style`), where entities are not decoded:
 * such an element ends only at `</name`, so every `</` is broken up, and `<!--` too (it can make a script's
 * end tag be ignored).
 */
export function neutralizeRawText(text: string): string {
  return text
    .replace(/\u0000/g, '')
    .replace(/<\//g, '<\\/')
    .replace(/<!--/g, '<\\!--')
}
