import type { RenderNode, ServerComponentDefinition } from '../../types.js'
import { Placeholder } from '../constants.js'
import { h } from '../h.js'
import { isPlainObject } from '../values.js'
import {
  dispatchHoc,
  optionError,
  startRender,
  treeFrom,
  wrapComponent,
  type ComponentHoc,
  type TreeOrFactory,
} from './shared.js'

/** Options of {@link withLoadingState}. */
export interface LoadingStateOptions<P = Record<string, unknown>> {
  /** Milliseconds the wrapped render may take before the loading tree is answered instead (0 – 2147483647). */
  timeoutMs: number
  /** What the client shows meanwhile: a tree, or a function of the props and context. Required. */
  loading: TreeOrFactory<P>
}

/** The longest delay `setTimeout` honours; larger values fire at once on every runtime. */
const maxTimeoutMs = 2_147_483_647

/**
 * Wraps a server component so that a render still running after `timeoutMs` answers a placeholder instead:
 * `{ type: Placeholder, props: { reason: 'loading', component, timeoutMs }, children: [loading] }`. On the
 * server there is no later "swap": the client shows the placeholder's children and replaces the placeholder
 * by asking for the same render again (`containsPlaceholder(tree)` tells caches not to keep such a result).
 *
 * The late render is not cancelled (it should watch `ctx.signal`); its result is dropped and its rejection
 * is absorbed. The timer is always cleared, whichever settles first; when `ctx.signal` aborts, the wait ends
 * at once with the signal's reason. Errors raised before the timeout propagate unchanged (wrap with
 * `withErrorBoundary` to render them).
 */
export function withLoadingState<P>(
  component: ServerComponentDefinition<P>,
  options: LoadingStateOptions<P>,
): ServerComponentDefinition<P>
export function withLoadingState<P = any>(options: LoadingStateOptions<P>): ComponentHoc<P>
export function withLoadingState(first: unknown, second?: unknown): unknown {
  return dispatchHoc('withLoadingState', first, second, checkOptions, (component, options) => {
    const placeholderProps = {
      reason: 'loading',
      component: `WithLoadingState(${component.name})`,
      timeoutMs: options.timeoutMs,
    }
    return wrapComponent(component, 'WithLoadingState', async (props, ctx) => {
      const pending = startRender(component, props, ctx)
      const signal = ctx.signal
      let timer: ReturnType<typeof setTimeout> | undefined
      let onAbort: (() => void) | undefined
      // Settles at the timeout, or as soon as the render is aborted so that no timer outlives the request.
      const interrupted = new Promise<typeof TIMED_OUT>((resolve, reject) => {
        timer = setTimeout(() => resolve(TIMED_OUT), options.timeoutMs)
        if (signal) {
          onAbort = () => reject(signal.reason)
          if (signal.aborted) onAbort()
          else signal.addEventListener('abort', onAbort, { once: true })
        }
      })
      try {
        // race() subscribes to `pending`, so a late rejection of the dropped render is never unhandled.
        const winner = await Promise.race([pending, interrupted])
        if (winner !== TIMED_OUT) return winner
      } finally {
        clearTimeout(timer)
        if (signal && onAbort) signal.removeEventListener('abort', onAbort)
      }
      const loading: RenderNode = await treeFrom(options.loading, props, ctx)
      return h(Placeholder, placeholderProps, loading)
    })
  })
}

const TIMED_OUT = Symbol('timed out')

function checkOptions(options: unknown): LoadingStateOptions<never> {
  if (!isPlainObject(options)) {
    throw optionError('withLoadingState', 'options must be an object ({ timeoutMs, loading }).')
  }
  const { timeoutMs } = options
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isFinite(timeoutMs) ||
    timeoutMs < 0 ||
    timeoutMs > maxTimeoutMs
  ) {
    throw optionError(
      'withLoadingState',
      `options.timeoutMs must be a number of milliseconds from 0 to ${maxTimeoutMs}.`,
    )
  }
  if (options.loading === undefined) {
    throw optionError(
      'withLoadingState',
      'options.loading is required (a tree, null, or (props, ctx) => tree).',
    )
  }
  return options as unknown as LoadingStateOptions<never>
}
