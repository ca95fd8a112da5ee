/**
 * Where a render's (or a `traced()` call's) span hangs in the trace. In order:
 * 1. `ctx.otelContext` — an OpenTelemetry `Context` the caller put on the IXP context, or the one this
 *    plugin keeps there during a render (the render phase running now), unless the active context is
 *    already inside that same phase (then the active one is the more precise parent);
 * 2. the active context, when it holds a span (an HTTP server span of `traceHttp()`, a `traced()` caller…);
 * 3. the caller's W3C headers in `ctx.headers` (`traceparent`, `tracestate`), through the propagator;
 * 4. otherwise a new trace.
 */
import {
  context as contextApi,
  createContextKey,
  trace,
  type Context,
  type TextMapPropagator,
} from '@opentelemetry/api'
import type { IxpContext } from '@ixp/core'
import { headerGetter } from './w3c.js'

declare module '@ixp/core' {
  interface IxpContext {
    /**
     * An OpenTelemetry context to parent this request's spans under (`@ixp/plugin-tracing`). During a render
     * the plugin sets it on the render's own context to the phase running (handler, component render…),
     * so handlers, `traced()` functions and nested renders (workflow steps) find their parent without a
     * context manager.
     */
    otelContext?: Context
  }
}

/** Marks the contexts of one render phase; contexts derived from one keep the mark. */
export const RENDER_PHASE = createContextKey('@ixp/plugin-tracing render phase')

export function isContext(value: unknown): value is Context {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Context).getValue === 'function' &&
    typeof (value as Context).setValue === 'function'
  )
}

export function parentContext(ctx: IxpContext | undefined, propagator: TextMapPropagator): Context {
  const active = contextApi.active()
  const given = ctx?.otelContext
  if (isContext(given)) {
    const phase = given.getValue(RENDER_PHASE)
    return phase !== undefined && active.getValue(RENDER_PHASE) === phase ? active : given
  }
  if (trace.getSpan(active) !== undefined) return active
  const headers = ctx?.headers
  if (headers !== undefined && headers !== null && typeof headers === 'object') {
    return propagator.extract(active, headers, headerGetter)
  }
  return active
}

/** The first argument that looks like an IXP context carrying `otelContext` (handlers get one second). */
export function contextArgument(args: readonly unknown[]): IxpContext | undefined {
  for (const arg of args) {
    if (typeof arg === 'object' && arg !== null && isContext((arg as IxpContext).otelContext))
      return arg as IxpContext
  }
  return undefined
}
