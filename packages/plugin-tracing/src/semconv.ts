/**
 * Attribute names. The OpenTelemetry semantic-convention names are copied as constants (a library depends
 * on `@opentelemetry/api` only, and names still in development may change upstream); the `ixp.*` names are
 * this package's own.
 */

// Stable HTTP, URL, server and error attributes (semantic conventions 1.23 and later).
export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method'
export const ATTR_HTTP_REQUEST_METHOD_ORIGINAL = 'http.request.method_original'
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code'
export const ATTR_HTTP_ROUTE = 'http.route'
export const ATTR_URL_PATH = 'url.path'
export const ATTR_URL_QUERY = 'url.query'
export const ATTR_URL_SCHEME = 'url.scheme'
export const ATTR_SERVER_ADDRESS = 'server.address'
export const ATTR_SERVER_PORT = 'server.port'
export const ATTR_USER_AGENT_ORIGINAL = 'user_agent.original'
export const ATTR_ERROR_TYPE = 'error.type'
/** Stable metric: duration of HTTP server requests, in seconds. */
export const METRIC_HTTP_SERVER_REQUEST_DURATION = 'http.server.request.duration'

// In development upstream: end-user identity (raw, or pseudonymous for the keyed hash).
export const ATTR_ENDUSER_ID = 'enduser.id'
export const ATTR_ENDUSER_PSEUDO_ID = 'enduser.pseudo.id'

// This package's attributes.
export const ATTR_IXP_INTENT = 'ixp.intent.name'
export const ATTR_IXP_COMPONENT = 'ixp.component.name'
export const ATTR_IXP_CACHE_STATUS = 'ixp.cache.status'
export const ATTR_IXP_ERROR_CODE = 'ixp.error.code'
export const ATTR_IXP_OUTCOME = 'ixp.render.outcome'
export const ATTR_IXP_REQUEST_ID = 'ixp.request.id'
export const ATTR_IXP_PHASE = 'ixp.phase'
export const ATTR_IXP_HOOK = 'ixp.hook.name'
export const ATTR_IXP_TAP = 'ixp.tap.name'
export const ATTR_IXP_RESOLVE_MATCHED = 'ixp.resolve.matched'
export const ATTR_IXP_RESOLVE_CONFIDENCE = 'ixp.resolve.confidence'
export const ATTR_IXP_RESOLVE_SOURCE = 'ixp.resolve.source'
export const ATTR_IXP_RESOLVE_REASON = 'ixp.resolve.reason'
export const ATTR_IXP_WORKFLOW_ID = 'ixp.workflow.id'
export const ATTR_IXP_WORKFLOW_RUN_ID = 'ixp.workflow.run_id'
export const ATTR_IXP_WORKFLOW_STEP_ID = 'ixp.workflow.step_id'
export const ATTR_IXP_WORKFLOW_STATUS = 'ixp.workflow.status'
export const ATTR_IXP_WORKFLOW_DEPTH = 'ixp.workflow.depth'
export const ATTR_IXP_WORKFLOW_ATTEMPT = 'ixp.workflow.attempt'
export const ATTR_IXP_WORKFLOW_SKIPPED = 'ixp.workflow.skipped'
export const ATTR_IXP_WORKFLOW_CANCELLED = 'ixp.workflow.cancelled'
export const ATTR_IXP_WORKFLOW_COMPENSATING = 'ixp.workflow.compensating'

/** Span names. The render span adds the intent (`ixp.render order_status`): intents are registered, so few. */
export const SPAN_RENDER = 'ixp.render'
export const SPAN_ADMISSION = 'ixp.admission'
export const SPAN_CACHE_LOOKUP = 'ixp.cache.lookup'
export const SPAN_HANDLER = 'ixp.handler'
export const SPAN_COMPONENT_RENDER = 'ixp.component.render'
export const SPAN_RESOLVE = 'ixp.resolve'
export const SPAN_TAP = 'ixp.tap'
export const SPAN_WORKFLOW = 'ixp.workflow'
export const SPAN_WORKFLOW_STEP = 'ixp.workflow.step'
export const SPAN_WORKFLOW_COMPENSATION = 'ixp.workflow.compensation'

/** The instrumentation scope of every tracer and meter of this package. */
export const SCOPE_NAME = '@ixp/plugin-tracing'
export const SCOPE_VERSION = '0.1.0'
