/**
 * The tracing plugin: render, resolve and workflow spans through `@opentelemetry/api`, render metrics
 * through the OpenTelemetry metrics API and into an in-process registry.
 *
 * Cost model: with no SDK registered, the plugin taps no render-path hook at all — successes are counted
 * from the engine's `intent:after` event (which carries the duration), failures from the `error` hook
 * (which only runs on failures). The span taps are installed once a tracer SDK shows up: at `ready()`, or
 * within GLOBAL_CHECK_INTERVAL renders of its registration.
 */
import { removeTap, Stage, type Engine, type IxpPlugin, type Teardown } from '@ixp/core'
import { httpHooks } from '@ixp/plugin-http'
import { tracingError } from './errors.js'
import { metricsProvider } from './metrics/provider.js'
import { RenderMetrics } from './metrics/render-metrics.js'
import type { MetricsRegistry } from './metrics/registry.js'
import { resolveOptions, type TracingOptions, type TracingSettings } from './options.js'
import { failedIntent, RenderTracer } from './render-trace.js'
import { ResolveTracer } from './resolve-trace.js'
import { SCOPE_NAME, SCOPE_VERSION } from './semconv.js'
import { GLOBAL_CHECK_INTERVAL, TracerSource } from './spans.js'
import { UserIds } from './user.js'
import { WorkflowSpans } from './workflows.js'

/** The plugin object `tracing()` returns. */
export interface TracingPlugin extends IxpPlugin {
  /** The in-process registry the plugin records into (served on plugin-http's metrics route); undefined with `registry: false`. */
  readonly metrics: MetricsRegistry | undefined
}

class Tracing implements TracingPlugin {
  readonly name = SCOPE_NAME
  readonly version = SCOPE_VERSION
  readonly metrics: MetricsRegistry | undefined
  readonly #settings: TracingSettings
  readonly #users: UserIds
  #engine: Engine | undefined

  constructor(options: TracingOptions) {
    this.#settings = resolveOptions(options)
    this.#users = new UserIds(this.#settings.user, this.#settings.userKey)
    this.metrics = this.#settings.registry
  }

  apply(engine: Engine): Teardown {
    if (this.#engine !== undefined) {
      throw tracingError('TRACING_INVALID_OPTIONS', {
        problem:
          'this tracing() plugin is already installed on an engine; create one per engine (they may share a registry)',
      })
    }
    this.#engine = engine
    const settings = this.#settings
    const tracers = new TracerSource(
      settings.tracerProvider,
      settings.spans === 'auto' ? 'auto' : settings.spans ? 'always' : 'never',
    )
    const metrics = new RenderMetrics(settings.registry, engine, settings.meterProvider)
    const workflows = settings.workflows === undefined ? undefined : new WorkflowSpans(tracers)
    const renders = new RenderTracer(engine, {
      tracers,
      propagator: settings.propagator,
      metrics,
      users: this.#users,
      phases: settings.phases !== false,
      tapSpans: settings.tapSpans,
      workflows,
    })
    const resolves = new ResolveTracer({ tracers, propagator: settings.propagator, metrics })
    resolves.install(engine)

    // Install the render-path taps now, or as soon as a tracer SDK is seen (never with spans: false).
    const watching = settings.spans === 'auto' && settings.phases !== true
    const installWhenLive = () => {
      if (!renders.installed && tracers.tracer() !== undefined) renders.install()
    }
    if (settings.spans === true || settings.phases === true) renders.install()
    else if (watching) {
      installWhenLive()
      engine.hooks.ready.tap({ name: SCOPE_NAME, stage: Stage.OBSERVE_FIRST }, installWhenLive)
    }
    let untilCheck = 1
    const installNowAndThen = () => {
      if (!watching || renders.installed || --untilCheck > 0) return
      untilCheck = GLOBAL_CHECK_INTERVAL
      installWhenLive()
    }

    const afterRender = (event: {
      intent: string
      result: { meta: { durationMs: number; cache?: string } }
    }) => {
      const meta = event.result.meta
      metrics.render(event.intent, 'success', meta.durationMs / 1000, meta.cache)
      installNowAndThen()
    }
    engine.events.on('intent:after', afterRender)
    engine.hooks.error.tap({ name: SCOPE_NAME, stage: Stage.OBSERVE_FIRST }, (error, info) => {
      if (info.phase === 'resolve') {
        metrics.error('resolve', error.code)
        resolves.failed(info.query, error)
        return
      }
      const state = info.state
      const seconds = state === undefined ? undefined : (performance.now() - state.startedAt) / 1000
      metrics.render(failedIntent(engine, state, info.request), 'error', seconds, undefined)
      metrics.error('render', error.code)
      renders.failed(error, state, info.context)
      installNowAndThen()
    })
    const detach = workflows === undefined ? undefined : workflows.attach(settings.workflows!)

    // plugin-http's metrics route answers from the registry (JSON by default, Prometheus text when asked),
    // unless the application gave the handler a provider of its own.
    const registry = settings.registry
    const http = httpHooks(engine)
    if (registry !== undefined) {
      const provider = metricsProvider(registry)
      http.metricsProvider.tap(SCOPE_NAME, (given) => given ?? provider)
    }

    return () => {
      removeTap(http.metricsProvider, SCOPE_NAME)
      engine.events.off('intent:after', afterRender)
      detach?.()
      this.#engine = undefined
    }
  }
}

/**
 * Creates the tracing plugin. Options are checked here (`TRACING_INVALID_OPTIONS` names the bad one).
 * `engine.use(tracing())` — then register an OpenTelemetry SDK to see spans; with plugin-http serving the engine,
 * `GET <base>/metrics` answers the registry (JSON, or Prometheus text for `?format=prometheus`).
 */
export function tracing(options: TracingOptions = {}): TracingPlugin {
  return new Tracing(options)
}
