/**
 * Converts a JSON pointer (`/a/0/b~1c`) to a path array (`['a', 0, 'b/c']`), the form zod and the IXP reference
 * server give: an all-digit segment is an array index, a number.
 */
export function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '' || pointer === '/') return []
  return pointer
    .slice(1)
    .split('/')
    .map((segment) =>
      /^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : segment.replace(/~1/g, '/').replace(/~0/g, '~'),
    )
}
