/** Splits a request target (`/a/b?x=1` or `http://host/a/b?x=1`) into path and query without building a URL. */
export function splitTarget(target: string): { path: string; query: string } {
  let start = 0
  if (target.charCodeAt(0) !== 0x2f) {
    const scheme = target.indexOf('://')
    if (scheme !== -1) {
      const slash = target.indexOf('/', scheme + 3)
      if (slash === -1) {
        const question = target.indexOf('?', scheme + 3)
        return { path: '/', query: question === -1 ? '' : stripFragment(target.slice(question + 1)) }
      }
      start = slash
    }
  }
  const question = target.indexOf('?', start)
  if (question === -1) return { path: stripFragment(target.slice(start)), query: '' }
  return { path: target.slice(start, question), query: stripFragment(target.slice(question + 1)) }
}

function stripFragment(part: string): string {
  const hash = part.indexOf('#')
  return hash === -1 ? part : part.slice(0, hash)
}
