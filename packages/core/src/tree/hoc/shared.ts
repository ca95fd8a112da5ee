import { coreError, type IxpError } from '../../errors.js'
import type { IxpContext, RenderFunction, RenderNode, ServerComponentDefinition } from '../../types.js'
import { isPlainObject } from '../values.js'

/**
 * A higher-order component: takes a server component and returns a wrapped one with the same props.
 * `P` is what the HOC's own callbacks need from the props; it wraps any component whose props extend it.
 */
export type ComponentHoc<P = any> = <Q extends P>(
  component: ServerComponentDefinition<Q>,
) => ServerComponentDefinition<Q>

/** A fixed tree, or one computed from the props and context. */
export type TreeOrFactory<P> = RenderNode | ((props: P, ctx: IxpContext) => RenderNode | Promise<RenderNode>)

/** Throws `INVALID_DEFINITION` unless `component` is a server component (a name and a render function). */
export function assertServerComponent(
  component: unknown,
  where: string,
): asserts component is ServerComponentDefinition<never> {
  if (!isPlainObject(component) || typeof component.name !== 'string' || component.name.length === 0) {
    throw coreError('INVALID_DEFINITION', {
      reason: `${where} needs a server component definition ({ name, render }); got something without a name.`,
    })
  }
  if (typeof component.render !== 'function') {
    throw coreError('INVALID_DEFINITION', {
      reason:
        `${where}: component '${component.name}' has no render function (a remote component is rendered by ` +
        'the client and cannot be wrapped or composed on the server).',
    })
  }
}

/** Starts a render and returns a promise of it: a synchronous throw becomes a rejection. */
export function startRender<P>(
  component: ServerComponentDefinition<P>,
  props: P,
  ctx: IxpContext,
): Promise<RenderNode> {
  try {
    return Promise.resolve(component.render(props, ctx))
  } catch (error) {
    return Promise.reject(error)
  }
}

/** Resolves a {@link TreeOrFactory}. */
export function treeFrom<P>(
  source: TreeOrFactory<P>,
  props: P,
  ctx: IxpContext,
): RenderNode | Promise<RenderNode> {
  return typeof source === 'function' ? source(props, ctx) : source
}

/** The wrapped definition: every field of the original (props schema included), a new name and render. */
export function wrapComponent<P>(
  component: ServerComponentDefinition<P>,
  wrapperName: string,
  render: RenderFunction<P>,
): ServerComponentDefinition<P> {
  return { ...component, name: `${wrapperName}(${component.name})`, render }
}

/**
 * Shared call shapes of every HOC: `withX(component, options)` wraps at once, `withX(options)` returns a
 * {@link ComponentHoc} for `compose()`. Options are checked when given, so mistakes surface at start-up.
 */
export function dispatchHoc<O>(
  hocName: string,
  first: unknown,
  second: unknown,
  checkOptions: (options: unknown) => O,
  wrap: (component: ServerComponentDefinition<never>, options: O) => ServerComponentDefinition<never>,
): ServerComponentDefinition<never> | ComponentHoc {
  if (second !== undefined) {
    assertServerComponent(first, `${hocName}()`)
    return wrap(first, checkOptions(second))
  }
  if (isPlainObject(first) && typeof first.render === 'function') {
    throw coreError('INVALID_DEFINITION', {
      reason: `${hocName}(component) needs its options as the second argument: ${hocName}(component, { … }).`,
    })
  }
  const options = checkOptions(first)
  return ((component: unknown) => {
    assertServerComponent(component, `${hocName}()`)
    return wrap(component, options)
  }) as ComponentHoc
}

/** Throws the `INVALID_DEFINITION` error for a bad HOC option. */
export function optionError(hocName: string, message: string): IxpError {
  return coreError('INVALID_DEFINITION', { reason: `${hocName}(): ${message}` })
}
