/** Converts a JSON pointer (`/a/0/b~1c`) to the dotted path used in messages (`a.0.b/c`). */
export function pointerToPath(pointer: string): string {
  if (pointer === '' || pointer === '/') return ''
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.')
}
