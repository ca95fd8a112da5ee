/**
 * The render, resolve and error metrics, recorded twice: into the in-process registry (no SDK needed) and
 * through the OpenTelemetry metrics API (a no-op until an SDK registers a meter provider). Label sets and
 * attribute objects are made once per intent and outcome, so recording a render allocates nothing.
 */
import {
  createNoopMeter,
  metrics,
  type Attributes,
  type Counter as OtelCounter,
  type Histogram as OtelHistogram,
  type MeterProvider,
} from '@opentelemetry/api'
import type { Engine } from '@ixp/core'
import {
  ATTR_ERROR_TYPE,
  ATTR_IXP_CACHE_STATUS,
  ATTR_IXP_INTENT,
  ATTR_IXP_OUTCOME,
  ATTR_IXP_PHASE,
  ATTR_IXP_RESOLVE_SOURCE,
  SCOPE_NAME,
  SCOPE_VERSION,
} from '../semconv.js'
import type { Counter, Histogram } from './metric.js'
import { GLOBAL_CHECK_INTERVAL } from '../spans.js'
import { DURATION_BUCKETS, type MetricsRegistry } from './registry.js'
import type { CounterSeries, HistogramSeries } from './series.js'

export type RenderOutcome = 'success' | 'error'
export type ResolveOutcomeLabel = 'matched' | 'no_match' | 'error'

/** The label an intent gets when a failed render named no registered intent (keeps label sets bounded). */
export const UNKNOWN_INTENT = '(unknown)'

/** The series and attributes of one intent and outcome, made on first use (so no empty series show). */
interface OutcomeHandles {
  labels: { intent: string; outcome: RenderOutcome }
  renders: CounterSeries | undefined
  duration: HistogramSeries | undefined
  attributes: Attributes
}

interface IntentHandles {
  success: OutcomeHandles
  error: OutcomeHandles
  handler: HistogramSeries | undefined
  handlerAttributes: Attributes
  cache: Map<string, { series: CounterSeries | undefined; attributes: Attributes }>
}

interface OtelInstruments {
  renders: OtelCounter
  duration: OtelHistogram
  handler: OtelHistogram
  cache: OtelCounter
  errors: OtelCounter
  resolves: OtelCounter
  resolveDuration: OtelHistogram
}

interface RegistryMetrics {
  renders: Counter
  duration: Histogram
  handler: Histogram
  cache: Counter
  errors: Counter
  resolves: Counter
  resolveDuration: Histogram
}

const NOOP_METER = createNoopMeter()

function declare(registry: MetricsRegistry, engine: Engine): RegistryMetrics {
  registry.gauge('ixp_intents_registered', {
    help: 'Intents registered on the engine',
    collect: (gauge) => gauge.set(engine.intents.size),
  })
  registry.gauge('ixp_components_registered', {
    help: 'Components registered on the engine',
    collect: (gauge) => gauge.set(engine.components.size),
  })
  return {
    renders: registry.counter('ixp_renders_total', {
      help: 'Renders by intent and outcome (success or error)',
    }),
    duration: registry.histogram('ixp_render_duration_seconds', {
      help: 'Render duration in seconds, by intent and outcome',
      buckets: DURATION_BUCKETS,
    }),
    handler: registry.histogram('ixp_handler_duration_seconds', {
      help: "Duration of intents' handlers in seconds (recorded while render phases are timed)",
      buckets: DURATION_BUCKETS,
    }),
    cache: registry.counter('ixp_cache_lookups_total', {
      help: 'Renders answered or passed on by a cache, by intent and cache status',
    }),
    errors: registry.counter('ixp_errors_total', {
      help: 'Failed renders and resolves, by phase and error code',
    }),
    resolves: registry.counter('ixp_resolves_total', {
      help: 'Resolves by outcome and the resolver that answered',
    }),
    resolveDuration: registry.histogram('ixp_resolve_duration_seconds', {
      help: 'Resolve duration in seconds, by outcome',
      buckets: DURATION_BUCKETS,
    }),
  }
}

export class RenderMetrics {
  readonly #registry: RegistryMetrics | undefined
  readonly #meterProvider: MeterProvider | undefined
  readonly #intents = new Map<string, IntentHandles>()
  #lastProvider: MeterProvider | undefined
  #otel: OtelInstruments | undefined
  #untilCheck = 1

  constructor(
    registry: MetricsRegistry | undefined,
    engine: Engine,
    meterProvider: MeterProvider | undefined,
  ) {
    this.#registry = registry === undefined ? undefined : declare(registry, engine)
    this.#meterProvider = meterProvider
  }

  /**
   * The OpenTelemetry instruments, or undefined while no SDK is registered (nothing to record then). The
   * global provider is looked up again every {@link GLOBAL_CHECK_INTERVAL} calls.
   */
  #instruments(): OtelInstruments | undefined {
    if (this.#meterProvider === undefined) {
      if (--this.#untilCheck > 0) return this.#otel
      this.#untilCheck = GLOBAL_CHECK_INTERVAL
    }
    const provider = this.#meterProvider ?? metrics.getMeterProvider()
    if (provider !== this.#lastProvider) {
      this.#lastProvider = provider
      const meter = provider.getMeter(SCOPE_NAME, SCOPE_VERSION)
      const seconds = { unit: 's', advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] } }
      this.#otel =
        meter === NOOP_METER
          ? undefined
          : {
              renders: meter.createCounter('ixp.renders', {
                description: 'Renders by intent and outcome',
                unit: '{render}',
              }),
              duration: meter.createHistogram('ixp.render.duration', {
                description: 'Render duration',
                ...seconds,
              }),
              handler: meter.createHistogram('ixp.handler.duration', {
                description: "Duration of intents' handlers",
                ...seconds,
              }),
              cache: meter.createCounter('ixp.cache.lookups', {
                description: 'Renders answered or passed on by a cache, by cache status',
                unit: '{lookup}',
              }),
              errors: meter.createCounter('ixp.errors', {
                description: 'Failed renders and resolves by error code',
                unit: '{error}',
              }),
              resolves: meter.createCounter('ixp.resolves', {
                description: 'Resolves by outcome',
                unit: '{resolve}',
              }),
              resolveDuration: meter.createHistogram('ixp.resolve.duration', {
                description: 'Resolve duration',
                ...seconds,
              }),
            }
    }
    return this.#otel
  }

  #handles(intent: string): IntentHandles {
    let handles = this.#intents.get(intent)
    if (handles === undefined) {
      const outcome = (name: RenderOutcome): OutcomeHandles => ({
        labels: { intent, outcome: name },
        renders: undefined,
        duration: undefined,
        attributes: Object.freeze({ [ATTR_IXP_INTENT]: intent, [ATTR_IXP_OUTCOME]: name }),
      })
      handles = {
        success: outcome('success'),
        error: outcome('error'),
        handler: undefined,
        handlerAttributes: Object.freeze({ [ATTR_IXP_INTENT]: intent }),
        cache: new Map(),
      }
      this.#intents.set(intent, handles)
    }
    return handles
  }

  /** One finished render; `seconds` is undefined when the render failed before it started. */
  render(
    intent: string,
    outcome: RenderOutcome,
    seconds: number | undefined,
    cache: string | undefined,
  ): void {
    const handles = this.#handles(intent)[outcome]
    const registry = this.#registry
    if (registry !== undefined) (handles.renders ??= registry.renders.series(handles.labels)).inc()
    const otel = this.#instruments()
    otel?.renders.add(1, handles.attributes)
    if (seconds !== undefined) {
      if (registry !== undefined)
        (handles.duration ??= registry.duration.series(handles.labels)).observe(seconds)
      otel?.duration.record(seconds, handles.attributes)
    }
    if (cache !== undefined) {
      const byStatus = this.#handles(intent).cache
      let status = byStatus.get(cache)
      if (status === undefined) {
        status = {
          series: this.#registry?.cache.series({ intent, status: cache }),
          attributes: Object.freeze({ [ATTR_IXP_INTENT]: intent, [ATTR_IXP_CACHE_STATUS]: cache }),
        }
        byStatus.set(cache, status)
      }
      status.series?.inc()
      otel?.cache.add(1, status.attributes)
    }
  }

  handler(intent: string, seconds: number): void {
    const handles = this.#handles(intent)
    if (this.#registry !== undefined)
      (handles.handler ??= this.#registry.handler.series({ intent })).observe(seconds)
    this.#instruments()?.handler.record(seconds, handles.handlerAttributes)
  }

  error(phase: 'render' | 'resolve', code: string): void {
    this.#registry?.errors.inc({ phase, code })
    this.#instruments()?.errors.add(1, { [ATTR_IXP_PHASE]: phase, [ATTR_ERROR_TYPE]: code })
  }

  resolve(outcome: ResolveOutcomeLabel, source: string | undefined, seconds: number): void {
    const labels = source === undefined ? { outcome } : { outcome, source }
    this.#registry?.resolves.inc(labels)
    this.#registry?.resolveDuration.observe(seconds, { outcome })
    const otel = this.#instruments()
    if (otel !== undefined) {
      const attributes: Attributes = { [ATTR_IXP_OUTCOME]: outcome }
      if (source !== undefined) attributes[ATTR_IXP_RESOLVE_SOURCE] = source
      otel.resolves.add(1, attributes)
      otel.resolveDuration.record(seconds, { [ATTR_IXP_OUTCOME]: outcome })
    }
  }
}
