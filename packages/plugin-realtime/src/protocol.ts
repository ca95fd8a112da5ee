/**
 * The frames of `ixp.v1` (see PROTOCOL.md) and the parser of client frames. A frame that does not parse is
 * reported as an `INVALID_MESSAGE` problem naming what to fix; the socket stays usable.
 */
import { isPlainObject } from '@ixp/core/plugin-kit'

/** The WebSocket subprotocol this package speaks. */
export const SUBPROTOCOL = 'ixp.v1'

/** Longest operation id accepted. */
export const MAX_ID_LENGTH = 128
/** Longest room name accepted. */
export const MAX_ROOM_LENGTH = 256
/** Longest free text accepted for resolution (as over HTTP). */
const MAX_QUERY_LENGTH = 10_000

/** What a client may put in `connection_init`. */
export interface ConnectionInitPayload {
  /** Request headers to use for every operation (credentials: `authorization`, `x-api-key`, …). */
  headers?: Record<string, string>
}

/** The body of `POST /render`: an intent by name, or free text resolved first. */
export type RenderBody = Record<string, unknown>

export interface ResolveBody {
  query: string
  previousIntent?: string
  limit?: number
}

/** A frame a client sends. */
export type ClientFrame =
  | { type: 'connection_init'; payload: ConnectionInitPayload }
  | { type: 'ping'; payload?: unknown }
  | { type: 'pong'; payload?: unknown }
  | { type: 'render'; id: string; payload: RenderBody }
  | { type: 'subscribe'; id: string; payload: RenderBody }
  | { type: 'resolve'; id: string; payload: ResolveBody }
  | { type: 'complete'; id: string }
  | { type: 'join'; id: string; payload: { room: string } }
  | { type: 'leave'; id: string; payload: { room: string } }

/** The payload of an `event` frame. */
export interface EventPayload {
  room?: string
  event: string
  data: unknown
}

/** A frame the server sends. */
export type ServerFrame =
  | { type: 'connection_ack'; payload: { connectionId: string } }
  | { type: 'ping'; payload?: unknown }
  | { type: 'pong'; payload?: unknown }
  | { type: 'result'; id: string; payload: unknown }
  | { type: 'next'; id: string; payload: unknown }
  | { type: 'error'; id?: string; payload: unknown }
  | { type: 'complete'; id: string }
  | { type: 'event'; payload: EventPayload }

/** Why a frame was refused, and the operation id when the frame had a usable one. */
export interface FrameProblem {
  problem: string
  id?: string
}

function validId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH
}

function headersOf(value: unknown): Record<string, string> | string {
  if (value === undefined) return {}
  if (!isPlainObject(value)) return "'payload.headers' must be an object of strings"
  const headers: Record<string, string> = {}
  for (const [name, header] of Object.entries(value)) {
    if (typeof header !== 'string') return `'payload.headers.${name}' must be a string`
    headers[name.toLowerCase()] = header
  }
  return headers
}

function roomOf(payload: unknown): string | undefined {
  if (!isPlainObject(payload)) return undefined
  const room = payload.room
  return typeof room === 'string' && room.length > 0 && room.length <= MAX_ROOM_LENGTH ? room : undefined
}

function resolveBodyOf(payload: Record<string, unknown>): ResolveBody | string {
  const field = payload.query !== undefined ? 'query' : 'text'
  const text = payload[field]
  if (typeof text !== 'string' || text.trim() === '') return `'payload.${field}' must be a non-empty string`
  if (text.length > MAX_QUERY_LENGTH)
    return `'payload.${field}' must be at most ${MAX_QUERY_LENGTH} characters`
  const body: ResolveBody = { query: text }
  if (payload.previousIntent !== undefined) {
    if (typeof payload.previousIntent !== 'string' || payload.previousIntent.length > 256) {
      return "'payload.previousIntent' must be an intent name"
    }
    body.previousIntent = payload.previousIntent
  }
  if (payload.limit !== undefined) {
    const limit = payload.limit
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 50) {
      return "'payload.limit' must be an integer from 1 to 50"
    }
    body.limit = limit
  }
  return body
}

const OPERATIONS = new Set(['render', 'subscribe', 'resolve', 'complete', 'join', 'leave'])

/** Parses one text frame; a {@link FrameProblem} says what is wrong with it. */
export function parseClientFrame(text: string): ClientFrame | FrameProblem {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { problem: 'A frame must be a JSON object; this one is not valid JSON' }
  }
  if (!isPlainObject(value)) return { problem: 'A frame must be a JSON object with a "type"' }
  const type = value.type
  if (typeof type !== 'string') return { problem: 'A frame needs a string "type"' }
  if (type === 'connection_init') {
    if (value.payload !== undefined && value.payload !== null && !isPlainObject(value.payload)) {
      return { problem: "'payload' of connection_init must be an object" }
    }
    const headers = headersOf((value.payload as Record<string, unknown> | undefined)?.headers)
    if (typeof headers === 'string') return { problem: headers }
    return { type, payload: { headers } }
  }
  if (type === 'ping' || type === 'pong') return { type, payload: value.payload }
  if (!OPERATIONS.has(type)) {
    const known = ['connection_init', 'ping', 'pong', ...OPERATIONS].join(', ')
    return { problem: `Unknown frame type '${type.slice(0, 64)}'; expected one of ${known}` }
  }
  if (!validId(value.id)) {
    return { problem: `A ${type} frame needs an "id": a string of 1 to ${MAX_ID_LENGTH} characters` }
  }
  const id = value.id
  if (type === 'complete') return { type, id }
  if (type === 'join' || type === 'leave') {
    const room = roomOf(value.payload)
    if (room === undefined) {
      return { id, problem: `'payload.room' must be a string of 1 to ${MAX_ROOM_LENGTH} characters` }
    }
    return { type, id, payload: { room } }
  }
  if (!isPlainObject(value.payload)) return { id, problem: `'payload' of ${type} must be an object` }
  if (type === 'resolve') {
    const body = resolveBodyOf(value.payload)
    return typeof body === 'string' ? { id, problem: body } : { type, id, payload: body }
  }
  const payload = value.payload
  if (payload.intent === undefined && payload.query === undefined) {
    return {
      id,
      problem: `'payload' of ${type} needs 'intent' ({ name, parameters }) or 'query' (free text)`,
    }
  }
  return { type: type as 'render' | 'subscribe', id, payload }
}

export function isProblem(frame: ClientFrame | FrameProblem): frame is FrameProblem {
  return (frame as FrameProblem).problem !== undefined
}
