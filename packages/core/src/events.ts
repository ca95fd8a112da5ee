/** The events an engine emits (eventemitter3, typed). Listeners run synchronously; keep them cheap. */
import type { IxpError } from './errors.js'
import type { Invalidation } from './invalidation.js'
import type { IxpContext, RenderRequest, RenderResult } from './types.js'

export interface RegistryChange {
  kind: 'intent' | 'component'
  action: 'registered' | 'replaced' | 'unregistered'
  name: string
}

export interface EngineEvents {
  /** A render passed lookup and is about to run admission. */
  'intent:before': [event: { intent: string; request: RenderRequest; context: IxpContext }]
  /** A render produced its result. */
  'intent:after': [event: { intent: string; result: RenderResult; context: IxpContext }]
  /** A render failed (`intent` is undefined when the intent was not found). */
  'intent:error': [event: { intent: string | undefined; error: IxpError; context: IxpContext }]
  /** A plugin finished `apply()`. */
  'plugin:installed': [event: { name: string; version: string | undefined }]
  /** `unuse()` removed a plugin (`applied`: false when it was only queued). */
  'plugin:removed': [event: { name: string; applied: boolean }]
  /** An intent or component was registered, replaced or unregistered. */
  'registry:changed': [event: RegistryChange]
  /** Answers became stale (`engine.invalidate()`, or a command that succeeded); see {@link Invalidation}. */
  invalidate: [invalidation: Invalidation]
  /** `ready()` completed. */
  ready: []
  /** `close()` completed. */
  close: []
}
