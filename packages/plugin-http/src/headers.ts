/**
 * Response headers as a flat list `[name, value, name, value, …]` with lower-case names: node's `writeHead`
 * takes it as is (measurably cheaper than an object of ~20 headers), and it converts to `Headers` in one loop.
 */
export type HeaderList = string[]

/** Sets `name` (lower-case) to `value`, replacing an earlier value. */
export function setHeader(list: HeaderList, name: string, value: string): void {
  for (let i = 0; i < list.length; i += 2) {
    if (list[i] === name) {
      list[i + 1] = value
      return
    }
  }
  list.push(name, value)
}

/** Sets every header of a record (names lower-cased), replacing earlier values. */
export function setHeaders(list: HeaderList, headers: Record<string, string>): void {
  for (const name in headers) {
    const value = headers[name]
    if (typeof value === 'string') setHeader(list, name.toLowerCase(), value)
  }
}

export function getHeader(list: HeaderList, name: string): string | undefined {
  for (let i = 0; i < list.length; i += 2) if (list[i] === name) return list[i + 1]
  return undefined
}

export function toRecord(list: HeaderList): Record<string, string> {
  const record: Record<string, string> = {}
  for (let i = 0; i < list.length; i += 2) record[list[i]!] = list[i + 1]!
  return record
}
