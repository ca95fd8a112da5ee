/**
 * `traced(name, fn)`: the same function, with a span around every call — sync or async, `this` and the
 * return type kept, exceptions recorded with ERROR status and re-thrown. With no SDK registered it calls
 * `fn` straight through.
 */
import {
  context as contextApi,
  SpanKind,
  trace,
  type Attributes,
  type TracerProvider,
} from '@opentelemetry/api'
import { tracingError } from './errors.js'
import { contextArgument, parentContext } from './parent.js'
import { failSpan, isThenable, spanTime, TracerSource } from './spans.js'
import { w3cTraceContext } from './w3c.js'

/** Options of {@link traced}. */
export interface TracedOptions {
  /** Where the spans go. @default the global tracer provider (spans only while an SDK is registered) */
  tracerProvider?: TracerProvider
  /** The spans' kind. @default SpanKind.INTERNAL */
  kind?: SpanKind
  /** Attributes set on every span. @default undefined */
  attributes?: Attributes
}

/**
 * Wraps `fn` in a span named `name`. The span's parent is the active context (nested `traced()` calls
 * nest under a context manager); when an argument is an IXP context carrying `otelContext` — a handler's
 * or render function's `ctx` during a traced render — the span goes under the render phase it runs in.
 */
export function traced<F extends (...args: any[]) => any>(
  name: string,
  fn: F,
  options: TracedOptions = {},
): F {
  if (typeof name !== 'string' || name.trim() === '') {
    throw tracingError('TRACING_INVALID_OPTIONS', {
      problem: 'traced(name, fn): name must be a non-empty string',
    })
  }
  if (typeof fn !== 'function') {
    throw tracingError('TRACING_INVALID_OPTIONS', { problem: `traced('${name}', fn): fn must be a function` })
  }
  const tracers = new TracerSource(options.tracerProvider)
  const spanOptions = { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    const tracer = tracers.tracer()
    if (tracer === undefined) return fn.apply(this, args)
    const parent = parentContext(contextArgument(args), w3cTraceContext)
    const span = tracer.startSpan(name, { ...spanOptions, startTime: spanTime() }, parent)
    let result: unknown
    try {
      result = contextApi.with(
        trace.setSpan(parent, span),
        fn,
        this as ThisParameterType<F>,
        ...(args as Parameters<F>),
      )
    } catch (error) {
      failSpan(span, error)
      span.end(spanTime())
      throw error
    }
    if (!isThenable(result)) {
      span.end(spanTime())
      return result
    }
    return result.then(
      (value) => {
        span.end(spanTime())
        return value
      },
      (error: unknown) => {
        failSpan(span, error)
        span.end(spanTime())
        throw error
      },
    )
  }
  Object.defineProperty(wrapper, 'name', { value: fn.name, configurable: true })
  Object.defineProperty(wrapper, 'length', { value: fn.length, configurable: true })
  return wrapper as F
}
