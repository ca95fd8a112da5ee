/** The wire shapes the client reads and writes (the IXP HTTP bodies and the `ixp.v1` frames). */

/** What `POST /render` takes: an intent by name, or free text resolved on the server first. */
export type RenderBody =
  | { intent: { name: string; parameters?: Record<string, unknown> }; options?: Record<string, unknown> }
  | { query: string; parameters?: Record<string, unknown>; options?: Record<string, unknown> }

/** A render tree element: `{ type, props, children }`. */
export interface ElementNode {
  type: string
  props: Record<string, unknown>
  children: RenderNode[]
}

export type RenderNode = ElementNode | string | number | boolean | null

/** What a render answers (`POST /render`, a `result` or a `next` frame). */
export interface RenderAnswer {
  /** The render tree of a server-rendered component. */
  tree?: RenderNode
  /** The module record of a remote component. */
  record?: { moduleUrl: string; exportName: string; props: Record<string, unknown> }
  component: Record<string, unknown>
  ttl: number
  /** How free text was resolved (renders of `{ query }`). */
  resolution?: { intent: string; confidence: number; alternatives: unknown[]; source?: string }
}

export interface ResolveRequest {
  query: string
  previousIntent?: string
  limit?: number
}

/** What `POST /resolve` answers. */
export interface ResolveAnswer {
  matched: boolean
  intent: string | null
  confidence: number
  alternatives: { intent: string; confidence: number }[]
  parameters?: Record<string, unknown>
  missing?: string[]
  reason?: string
  source?: string
}

/** The IXP error object (`{ error: … }` of an HTTP error body, the payload of an `error` frame). */
export interface ErrorObject {
  code: string
  message: string
  timestamp?: string
  details?: Record<string, unknown>
}

/** A frame from the server. */
export interface ServerFrame {
  type: string
  id?: string
  payload?: unknown
}
