/**
 * What the Redis server sees of a test's connections: `CLIENT LIST` filtered by connection name. Shared by the
 * tests that count connections (plugin-cache's bus, plugin-realtime's shared bus, the demo's two instances).
 */
import { Redis } from 'ioredis'

/** `url` with a connection name: every connection opened from it carries that name (or `<name>:…`). */
export function namedRedisUrl(url: string, name: string): string {
  const named = new URL(url)
  named.searchParams.set('connectionName', name)
  return named.toString()
}

/**
 * The `CLIENT LIST` entries (field → value) of the connections named `name` — and, with `suffixed`, of those
 * named `<name>:…` too (the store's subscriber is `<name>:bus`).
 */
export async function redisClientsNamed(
  url: string,
  name: string,
  options: { suffixed?: boolean } = {},
): Promise<Record<string, string>[]> {
  const admin = new Redis(url)
  admin.on('error', () => undefined)
  try {
    const list = (await admin.call('CLIENT', 'LIST')) as string
    return list
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map(
        (line) =>
          Object.fromEntries(
            line
              .trim()
              .split(' ')
              .map((field) => field.split('=') as [string, string]),
          ) as Record<string, string>,
      )
      .filter(
        (fields) =>
          fields.name === name || (options.suffixed === true && fields.name?.startsWith(`${name}:`)),
      )
  } finally {
    admin.disconnect()
  }
}
