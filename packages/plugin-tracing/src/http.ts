/**
 * HTTP server spans around a web-standard handler: `traceHttp()` returns the `around(request, next)`
 * function plugin-http calls for each request. It continues the caller's trace from `traceparent`, opens a
 * SERVER span with the stable HTTP semantic-convention attributes, and makes that span the parent of the
 * render:
 *
 * - where a context manager works (Node with an SDK: AsyncLocalStorage), `next()` runs inside the span's
 *   context, and the render span finds it as the active context;
 * - elsewhere (no context manager, e.g. workerd without one) the request is handed on as a copy whose
 *   `traceparent` names the server span — plugin-http puts request headers on the IXP context, where the
 *   render span reads them. This needs a `next` that accepts the request; one that ignores it still yields
 *   one trace, with the render under the caller's span instead of the server span.
 *
 * It also records the stable `http.server.request.duration` metric.
 */
import {
  context as contextApi,
  createContextKey,
  metrics,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  createNoopMeter,
  type Attributes,
  type Context,
  type Histogram as OtelHistogram,
  type MeterProvider,
  type Span,
  type TextMapPropagator,
  type TracerProvider,
} from '@opentelemetry/api'
import type { AroundHandler } from '@ixp/plugin-http'
import { tracingError } from './errors.js'
import type { Histogram } from './metrics/metric.js'
import { DURATION_BUCKETS, MetricsRegistry } from './metrics/registry.js'
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
  METRIC_HTTP_SERVER_REQUEST_DURATION,
  SCOPE_NAME,
  SCOPE_VERSION,
} from './semconv.js'
import { errorType, failSpan, spanTime, TracerSource } from './spans.js'
import { formatTraceparent, headerGetter, headerSetter, w3cTraceContext } from './w3c.js'

/** Wraps one request: plugin-http's `around` (call `next`, optionally with a replacement request). */
export type HttpAround = AroundHandler

/** Options of {@link traceHttp}; every field is optional. */
export interface TraceHttpOptions {
  /** Where the spans go. @default the global tracer provider (spans only while an SDK is registered) */
  tracerProvider?: TracerProvider
  /** Where `http.server.request.duration` goes. @default the global meter provider */
  meterProvider?: MeterProvider
  /** Reads the caller's trace context and writes the forwarded one. @default w3cTraceContext */
  propagator?: TextMapPropagator
  /**
   * Names a request path's route (`http.route`, and the span name `GET /ixp/render`); it must have few
   * values, so unknown paths get none.
   * @default the route plugin-http matched (its built-in routes and those plugins added, with the base path)
   */
  route?: (path: string) => string | undefined
  /**
   * Send the server span as a `traceresponse` header (W3C Trace Context Level 2, a draft), so a client can
   * quote its trace id. Off by default: it tells every caller the trace id and the sampling decision.
   * @default false
   */
  traceResponse?: boolean
  /** Also record `http_server_request_duration_seconds{method,route,status_code}` here. @default undefined */
  registry?: MetricsRegistry
}

const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
])
/** Query keys whose values the semantic conventions redact by default (signatures, access keys). */
const REDACTED_QUERY_KEYS = new Set(['AWSAccessKeyId', 'Signature', 'sig', 'X-Goog-Signature'])
const NOOP_METER = createNoopMeter()
const PROBE_KEY = createContextKey('@ixp/plugin-tracing context manager probe')
const PROBE = ROOT_CONTEXT.setValue(PROBE_KEY, true)

/** Whether `context.with()` makes a context active (false with the API's default no-op manager). */
function contextManagerWorks(): boolean {
  return contextApi.with(PROBE, () => contextApi.active() === PROBE)
}

function redactQuery(search: string): string {
  return search
    .slice(1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=')
      const key = equals === -1 ? pair : pair.slice(0, equals)
      return equals !== -1 && REDACTED_QUERY_KEYS.has(key) ? `${key}=REDACTED` : pair
    })
    .join('&')
}

/** The request with the trace context of `context` in its headers (for runtimes without a context manager). */
function forwardWith(request: Request, context: Context, propagator: TextMapPropagator): Request {
  const headers = new Headers(request.headers)
  for (const field of propagator.fields()) headers.delete(field)
  propagator.inject(context, headers, headerSetter)
  return new Request(request, { headers })
}

function withHeader(response: Response, name: string, value: string): Response {
  try {
    response.headers.set(name, value)
    return response
  } catch {
    // Immutable headers (a fetched or redirect response): answer with a copy.
    const copy = new Response(response.body, response)
    copy.headers.set(name, value)
    return copy
  }
}

/** Creates the `around` function for plugin-http: `createHttpHandler(engine, { around: traceHttp() })`. */
export function traceHttp(options: TraceHttpOptions = {}): HttpAround {
  if (options.route !== undefined && typeof options.route !== 'function') {
    throw tracingError('TRACING_INVALID_OPTIONS', {
      problem: 'traceHttp: route must be a function (path) => string | undefined',
    })
  }
  if (options.registry !== undefined && !(options.registry instanceof MetricsRegistry)) {
    throw tracingError('TRACING_INVALID_OPTIONS', {
      problem: 'traceHttp: registry must be a MetricsRegistry',
    })
  }
  const propagator = options.propagator ?? w3cTraceContext
  if (typeof propagator?.extract !== 'function' || typeof propagator.inject !== 'function') {
    throw tracingError('TRACING_INVALID_OPTIONS', {
      problem: 'traceHttp: propagator must be a TextMapPropagator',
    })
  }
  const routeOf = options.route
  const tracers = new TracerSource(options.tracerProvider)
  const traceResponse = options.traceResponse === true
  const histogram: Histogram | undefined = options.registry?.histogram(
    'http_server_request_duration_seconds',
    {
      help: 'Duration of HTTP server requests in seconds, by method, route and status code',
      buckets: DURATION_BUCKETS,
    },
  )
  let lastMeterProvider: MeterProvider | undefined
  let otelDuration: OtelHistogram | undefined
  const durationInstrument = (): OtelHistogram | undefined => {
    const provider = options.meterProvider ?? metrics.getMeterProvider()
    if (provider !== lastMeterProvider) {
      lastMeterProvider = provider
      const meter = provider.getMeter(SCOPE_NAME, SCOPE_VERSION)
      otelDuration =
        meter === NOOP_METER
          ? undefined
          : meter.createHistogram(METRIC_HTTP_SERVER_REQUEST_DURATION, {
              description: 'Duration of HTTP server requests',
              unit: 's',
              advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
            })
    }
    return otelDuration
  }

  return async (request, next, info) => {
    const tracer = tracers.tracer()
    const otel = durationInstrument()
    if (tracer === undefined && otel === undefined && histogram === undefined) return next()
    const startedAt = performance.now()
    const url = new URL(request.url)
    const known = KNOWN_METHODS.has(request.method)
    const method = known ? request.method : '_OTHER'
    const route = routeOf === undefined ? info?.route : routeOf(url.pathname)
    const scheme = url.protocol.slice(0, -1)

    let span: Span | undefined
    let forward: Request | undefined
    let spanContext: Context | undefined
    if (tracer !== undefined) {
      const attributes: Attributes = {
        [ATTR_HTTP_REQUEST_METHOD]: method,
        [ATTR_URL_PATH]: url.pathname,
        [ATTR_URL_SCHEME]: scheme,
        [ATTR_SERVER_ADDRESS]: url.hostname,
      }
      if (!known) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = request.method
      if (url.port !== '') attributes[ATTR_SERVER_PORT] = Number(url.port)
      if (url.search !== '') attributes[ATTR_URL_QUERY] = redactQuery(url.search)
      if (route !== undefined) attributes[ATTR_HTTP_ROUTE] = route
      const agent = request.headers.get('user-agent')
      if (agent !== null) attributes[ATTR_USER_AGENT_ORIGINAL] = agent
      const active = contextApi.active()
      // An outer instrumentation's span wins over the headers (it has already continued the caller's trace).
      const parent =
        trace.getSpan(active) !== undefined
          ? active
          : propagator.extract(active, request.headers, headerGetter)
      span = tracer.startSpan(
        route === undefined ? (known ? method : 'HTTP') : `${known ? method : 'HTTP'} ${route}`,
        { kind: SpanKind.SERVER, startTime: spanTime(startedAt), attributes },
        parent,
      )
      spanContext = trace.setSpan(parent, span)
      if (!contextManagerWorks()) forward = forwardWith(request, spanContext, propagator)
    }

    let response: Response | undefined
    let failure: unknown
    try {
      const call = () => (forward === undefined ? next() : next(forward))
      response = await (spanContext === undefined ? call() : contextApi.with(spanContext, call))
      if (span !== undefined && traceResponse) {
        response = withHeader(response, 'traceresponse', formatTraceparent(span.spanContext()))
      }
      return response
    } catch (error) {
      failure = error
      throw error
    } finally {
      const endedAt = performance.now()
      const status = response?.status
      const errorKind =
        failure !== undefined
          ? errorType(failure)
          : status !== undefined && status >= 500
            ? String(status)
            : undefined
      if (span !== undefined) {
        if (status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status)
        if (failure !== undefined) failSpan(span, failure)
        else if (errorKind !== undefined) {
          // Server spans: 5xx is an error, 4xx is the client's (status left unset).
          span.setStatus({ code: SpanStatusCode.ERROR })
          span.setAttribute(ATTR_ERROR_TYPE, errorKind)
        }
        span.end(spanTime(endedAt))
      }
      const seconds = (endedAt - startedAt) / 1000
      if (otel !== undefined) {
        const attributes: Attributes = { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_SCHEME]: scheme }
        if (route !== undefined) attributes[ATTR_HTTP_ROUTE] = route
        if (status !== undefined) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = status
        if (errorKind !== undefined) attributes[ATTR_ERROR_TYPE] = errorKind
        otel.record(seconds, attributes)
      }
      histogram?.observe(seconds, { method, route, status_code: status ?? 'none' })
    }
  }
}
