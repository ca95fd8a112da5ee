import type { IxpContext, RenderNode, ServerComponentDefinition } from '../../types.js'
import { isPlainObject, isThenable } from '../values.js'
import { dispatchHoc, optionError, startRender, wrapComponent, type ComponentHoc } from './shared.js'

/** Options of {@link withErrorBoundary}. */
export interface ErrorBoundaryOptions<P = Record<string, unknown>> {
  /**
   * Rendered instead when the wrapped render throws or rejects: a tree (`null` renders nothing) or a function
   * of the error. Required. If the function itself throws, that error propagates (to an outer boundary).
   */
  fallback: RenderNode | ((error: unknown, props: P, ctx: IxpContext) => RenderNode | Promise<RenderNode>)
  /**
   * Called with every caught error, e.g. to log it. Not awaited; its own throws and rejections are ignored.
   * @default undefined
   */
  onError?: (error: unknown, props: P, ctx: IxpContext) => void | Promise<void>
}

/**
 * Wraps a server component so that a failing render (a synchronous throw or a rejection, from the component
 * or from HOCs it is wrapped in) renders `fallback` instead. The wrapper is named `WithErrorBoundary(<name>)`
 * and keeps every other field, the props schema included.
 */
export function withErrorBoundary<P>(
  component: ServerComponentDefinition<P>,
  options: ErrorBoundaryOptions<P>,
): ServerComponentDefinition<P>
export function withErrorBoundary<P = any>(options: ErrorBoundaryOptions<P>): ComponentHoc<P>
export function withErrorBoundary(first: unknown, second?: unknown): unknown {
  return dispatchHoc('withErrorBoundary', first, second, checkOptions, (component, options) =>
    wrapComponent(component, 'WithErrorBoundary', async (props, ctx) => {
      try {
        return await startRender(component, props, ctx)
      } catch (error) {
        report(options, error, props, ctx)
        const { fallback } = options
        return typeof fallback === 'function' ? fallback(error, props, ctx) : fallback
      }
    }),
  )
}

function report(options: ErrorBoundaryOptions<never>, error: unknown, props: never, ctx: IxpContext): void {
  if (!options.onError) return
  try {
    const outcome = options.onError(error, props, ctx)
    if (isThenable(outcome)) outcome.then(undefined, () => undefined)
  } catch {
    // A failing error reporter must not turn a handled error into an unhandled one.
  }
}

function checkOptions(options: unknown): ErrorBoundaryOptions<never> {
  if (!isPlainObject(options))
    throw optionError('withErrorBoundary', 'options must be an object ({ fallback }).')
  if (options.fallback === undefined) {
    throw optionError(
      'withErrorBoundary',
      'options.fallback is required (a tree, null, or (error, props, ctx) => tree).',
    )
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw optionError('withErrorBoundary', 'options.onError must be a function.')
  }
  return options as unknown as ErrorBoundaryOptions<never>
}
