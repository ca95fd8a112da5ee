import { coreError } from '../../errors.js'
import type { IxpContext, ServerComponentDefinition } from '../../types.js'
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

/** Options of {@link withGuard}. */
export interface GuardOptions<P = Record<string, unknown>> {
  /**
   * Decides whether the render may proceed. Only `true` lets it through: `false`, `undefined` or any other
   * value denies (fail closed). A throw or rejection propagates as is. Required.
   */
  check: (props: P, ctx: IxpContext) => boolean | Promise<boolean>
  /**
   * Rendered when the check denies (`null` renders nothing). Without it, a denial fails the render with
   * `IxpError('FORBIDDEN')`.
   * @default undefined
   */
  fallback?: TreeOrFactory<P>
  /**
   * Message of the `FORBIDDEN` error.
   * @default "Access to component '<name>' was denied."
   */
  message?: string
}

/**
 * Wraps a server component behind a check run before every render. The wrapper is named `WithGuard(<name>)`
 * and keeps every other field, the props schema included.
 */
export function withGuard<P>(
  component: ServerComponentDefinition<P>,
  options: GuardOptions<P>,
): ServerComponentDefinition<P>
export function withGuard<P = any>(options: GuardOptions<P>): ComponentHoc<P>
export function withGuard(first: unknown, second?: unknown): unknown {
  return dispatchHoc('withGuard', first, second, checkOptions, (component, options) =>
    wrapComponent(component, 'WithGuard', async (props, ctx) => {
      if ((await options.check(props, ctx)) === true) return startRender(component, props, ctx)
      if (options.fallback !== undefined) return treeFrom(options.fallback, props, ctx)
      throw coreError(
        'FORBIDDEN',
        { reason: options.message ?? `Access to component '${component.name}' was denied.` },
        {
          details: { component: component.name },
        },
      )
    }),
  )
}

function checkOptions(options: unknown): GuardOptions<never> {
  if (!isPlainObject(options))
    throw optionError('withGuard', 'options must be an object ({ check, fallback? }).')
  if (typeof options.check !== 'function') {
    throw optionError(
      'withGuard',
      'options.check must be a function (props, ctx) => boolean | Promise<boolean>.',
    )
  }
  if (options.message !== undefined && typeof options.message !== 'string') {
    throw optionError('withGuard', 'options.message must be a string.')
  }
  return options as unknown as GuardOptions<never>
}
