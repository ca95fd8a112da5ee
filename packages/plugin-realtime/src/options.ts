/** The plugin's options, their defaults (spread in one place) and their checks (at creation, naming the option). */
import type { IxpContext } from '@ixp/core'
import type { Redis } from 'ioredis'
import { invalidOptions } from './errors.js'

/** Who is on a connection, as `authorizeRoom` and `connections()` see it. */
export interface ConnectionInfo {
  /** A random id, unique across instances. */
  readonly id: string
  /** What `authenticate` returned for the connection's credentials (`undefined`: anonymous). */
  readonly user: unknown
  /** The user id `sendToUser` addresses (from `userId(user)`). */
  readonly userId: string | undefined
  /** The client's address as the socket saw it. */
  readonly ip: string | undefined
  /** The upgrade request's `Origin`. */
  readonly origin: string | undefined
  /** Rooms the connection has joined. */
  readonly rooms: ReadonlySet<string>
  /** Live subscriptions it holds. */
  readonly subscriptions: number
  /** When it connected (ms since the epoch). */
  readonly connectedAt: number
  /** `'ws'` or `'sse'`. */
  readonly transport: 'ws' | 'sse'
}

export interface RealtimeLimits {
  /** Largest frame accepted, in bytes; a larger one closes the socket with 1009. @default 65_536 */
  maxFrameBytes?: number
  /** Live subscriptions one socket may hold at once. @default 100 */
  subscriptions?: number
  /** Rooms one socket may be in at once. @default 100 */
  rooms?: number
  /** Frames (operations, pings) one socket may send per second; a burst of this size is allowed. @default 50 */
  operationsPerSecond?: number
  /** Malformed frames tolerated on one socket before it is closed with 4400. @default 10 */
  maxInvalidMessages?: number
  /** Bytes queued to one socket before it is dropped as a slow consumer (close 4413). @default 1_048_576 */
  maxBufferedBytes?: number
  /** Sockets (WebSocket and SSE) this instance holds at once; `0` for no limit. @default 0 */
  connections?: number
}

export interface RealtimeOptions {
  /** The WebSocket endpoint, relative to plugin-http's base path. @default '/ws' */
  path?: string
  /** The Server-Sent Events endpoint, relative to the base path; `false` to serve none. @default '/live' */
  ssePath?: string | false
  /**
   * Redis for rooms, `sendToUser` and invalidations across instances: a URL, or your own ioredis client (the
   * plugin duplicates it for its subscriber and closes only what it opened). Without it, one instance in memory.
   * @default undefined
   */
  redis?: string | Redis
  /**
   * Whether to use the bus another plugin offers (`@ixp/core`'s `sharedBus`: plugin-cache's Redis store offers
   * one) rather than `redis`: one pub/sub connection pair per instance for both. @default true
   */
  shareBus?: boolean
  /** The Redis pub/sub channel (instances talking together use the same). @default 'ixp:realtime' */
  channel?: string
  /**
   * Whether this plugin relays invalidations between instances through `redis`. Turn it off when another relay
   * already calls `engine.invalidate({ …, remote: true })` on every instance. @default true (with `redis`)
   */
  relayInvalidations?: boolean
  /**
   * Checks a connection's credentials at `connection_init` (the upgrade request's headers, then the init
   * payload's): returns the user, or `undefined` for an anonymous caller; throws an error with status 401 to
   * close 4401, 403 to close 4403. Pass plugin-auth's `authenticate`. @default undefined (everyone anonymous)
   */
  authenticate?: (ctx: IxpContext) => unknown
  /** Whether a connection without a user (see `authenticate`) is accepted. @default true */
  anonymous?: boolean
  /** The id `sendToUser` addresses, from the user `authenticate` returned. @default user.id (a string) */
  userId?: (user: unknown) => string | undefined
  /**
   * Whether a connection may join a room. @default undefined: every join is refused with ROOM_FORBIDDEN
   */
  authorizeRoom?: (room: string, connection: ConnectionInfo) => boolean | Promise<boolean>
  /** Time a client has to send `connection_init`, in ms; then the socket closes 4408. @default 10_000 */
  connectionInitTimeoutMs?: number
  /** Interval of heartbeats, in ms; a socket that did not answer the last one is closed. `0` disables. @default 30_000 */
  heartbeatMs?: number
  /** Invalidations arriving within this window cause one re-render of a subscription (ms). @default 25 */
  coalesceMs?: number
  /** How often an SSE stream sends a comment to keep proxies from closing it (ms). @default 15_000 */
  sseKeepAliveMs?: number
  limits?: RealtimeLimits
}

export interface ResolvedOptions {
  path: string
  ssePath: string | false
  redis: string | Redis | undefined
  shareBus: boolean
  channel: string
  relayInvalidations: boolean
  authenticate: ((ctx: IxpContext) => unknown) | undefined
  anonymous: boolean
  userId: (user: unknown) => string | undefined
  authorizeRoom: ((room: string, connection: ConnectionInfo) => boolean | Promise<boolean>) | undefined
  connectionInitTimeoutMs: number
  heartbeatMs: number
  coalesceMs: number
  sseKeepAliveMs: number
  limits: Required<RealtimeLimits>
}

const DEFAULT_LIMITS: Required<RealtimeLimits> = {
  maxFrameBytes: 65_536,
  subscriptions: 100,
  rooms: 100,
  operationsPerSecond: 50,
  maxInvalidMessages: 10,
  maxBufferedBytes: 1_048_576,
  connections: 0,
}

function defaultUserId(user: unknown): string | undefined {
  const id = (user as { id?: unknown } | null | undefined)?.id
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined
}

function checkPath(name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^\/[A-Za-z0-9._~\-/]*$/.test(value)) {
    throw invalidOptions(`${name} must be a path starting with '/', got ${JSON.stringify(value)}`)
  }
  return value
}

function checkCount(name: string, value: unknown, minimum: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum || !Number.isInteger(value)) {
    throw invalidOptions(`${name} must be an integer ≥ ${minimum}, got ${JSON.stringify(value)}`)
  }
  return value
}

function checkFunction<T>(name: string, value: T): T {
  if (value !== undefined && typeof value !== 'function') {
    throw invalidOptions(`${name} must be a function, got ${typeof value}`)
  }
  return value
}

function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw invalidOptions(`${name} must be true or false, got ${JSON.stringify(value)}`)
  return value
}

export function resolveOptions(options: RealtimeOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw invalidOptions('options must be an object')
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  for (const [name, value] of Object.entries(limits)) {
    checkCount(`limits.${name}`, value, name === 'connections' ? 0 : 1)
  }
  const redis = options.redis
  if (redis !== undefined && typeof redis !== 'string' && typeof (redis as Redis).duplicate !== 'function') {
    throw invalidOptions('redis must be a redis:// URL or an ioredis client')
  }
  if (typeof redis === 'string' && !/^rediss?:\/\//.test(redis)) {
    throw invalidOptions(`redis must be a redis:// or rediss:// URL, got ${JSON.stringify(redis)}`)
  }
  const channel = options.channel ?? 'ixp:realtime'
  if (typeof channel !== 'string' || channel === '')
    throw invalidOptions('channel must be a non-empty string')
  const ssePath = options.ssePath === false ? false : checkPath('ssePath', options.ssePath ?? '/live')
  const path = checkPath('path', options.path ?? '/ws')
  if (path === ssePath) throw invalidOptions(`path and ssePath must differ, both are '${path}'`)
  return {
    path,
    ssePath,
    redis,
    shareBus: checkBoolean('shareBus', options.shareBus ?? true),
    channel,
    relayInvalidations: options.relayInvalidations ?? true,
    authenticate: checkFunction('authenticate', options.authenticate),
    anonymous: options.anonymous ?? true,
    userId: checkFunction('userId', options.userId) ?? defaultUserId,
    authorizeRoom: checkFunction('authorizeRoom', options.authorizeRoom),
    connectionInitTimeoutMs: checkCount(
      'connectionInitTimeoutMs',
      options.connectionInitTimeoutMs ?? 10_000,
      1,
    ),
    heartbeatMs: checkCount('heartbeatMs', options.heartbeatMs ?? 30_000, 0),
    coalesceMs: checkCount('coalesceMs', options.coalesceMs ?? 25, 0),
    sseKeepAliveMs: checkCount('sseKeepAliveMs', options.sseKeepAliveMs ?? 15_000, 1),
    limits,
  }
}
