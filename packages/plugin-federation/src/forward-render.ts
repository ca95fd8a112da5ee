/**
 * A render of a remote intent: the gateway has admitted the caller (auth, rate limits) and validated the
 * parameters against the service's schema; a cache miss lands here (`beforeHandler`, after the cache), and
 * the service's answer becomes the render's result, so the gateway's cache and `afterRender` taps see it too.
 */
import type { RenderResult, RenderState } from '@ixp/core'
import { renderOf } from './answer.js'
import type { RemoteIntent } from './catalog.js'

declare module '@ixp/core' {
  interface RenderMeta {
    /** The service that rendered a remote intent (`@ixp/plugin-federation`); also sent as `x-ixp-service`. */
    service?: string
  }
}

export async function renderRemote(state: RenderState, remote: RemoteIntent): Promise<RenderResult> {
  const { service } = remote
  const body: Record<string, unknown> = {
    intent: { name: remote.remoteName, parameters: state.parameters ?? {} },
  }
  if (state.request.options !== undefined) body.options = state.request.options
  const answer = renderOf(
    service.name,
    await service.callJson('render', remote.kind, body, state.context, state.signal),
  )
  const prefix = service.settings.prefix
  const component =
    prefix !== '' && typeof answer.component.name === 'string'
      ? { ...answer.component, name: prefix + answer.component.name }
      : answer.component
  state.meta.service = service.name
  state.meta.headers = { ...state.meta.headers, 'x-ixp-service': service.name }
  const result: RenderResult = {
    intent: state.intent.name,
    component,
    props: answer.record?.props ?? { ...state.parameters, ...state.request.options },
    ttl: answer.ttl,
    meta: state.meta,
  }
  if (answer.record !== undefined) result.record = answer.record
  else result.tree = answer.tree
  // Tags listed by the service travel as arrays (tag functions stay at the service): the gateway's cache tags
  // its answers with them, and a command's `invalidates` are applied by the gateway's engine as for a local
  // command, since the service did run the handler.
  const cacheTags = state.intent.cacheTags
  if (Array.isArray(cacheTags)) result.tags = cacheTags
  state.handled = true
  return result
}
