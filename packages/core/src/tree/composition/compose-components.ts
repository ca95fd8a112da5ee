import { coreError } from '../../errors.js'
import type {
  ComponentDefinition,
  IxpContext,
  JsonSchema,
  RenderNode,
  ServerComponentDefinition,
} from '../../types.js'
import { Layout } from '../constants.js'
import { h } from '../h.js'
import { validateTree } from '../normalize.js'
import { assertServerComponent, startRender } from '../hoc/shared.js'
import { describeValue, isPlainObject } from '../values.js'
import { mergeSchemas } from './merge-schemas.js'
import { partSchema } from './part-schema.js'
import { applyMapping, compileMapping, type CompiledMapping, type PropMapping } from './prop-mapping.js'

/** How a composition arranges its parts; renderers map it to their own layout (HTML: a CSS class). */
export type LayoutKind = 'stack' | 'row' | 'grid' | (string & {})

/** One part of a composition. */
export interface CompositionPart<P = Record<string, unknown>> {
  /**
   * A server component, or the name of a registered one, looked up through `ctx.engine.components` at each
   * render (so it may be registered later, or replaced).
   */
  component: ServerComponentDefinition<any> | string
  /**
   * The part's props, from the composed props (see {@link PropMapping}).
   * @default every composed prop, as is
   */
  props?: PropMapping<P>
}

/** Options of {@link composeComponents}. */
export interface CompositionOptions<P = Record<string, unknown>> {
  /** The composed component's name. Required. */
  name: string
  /** @default undefined */
  description?: string
  /**
   * `props.layout` of the container node (a token: letters, digits, `-`, `_`).
   * @default 'stack'
   */
  layout?: LayoutKind
  /**
   * More props of the container node, e.g. `{ columns: 2, gap: 16 }` (JSON values); `layout` always wins.
   * @default {}
   */
  layoutProps?: Record<string, unknown>
  /** The parts, rendered in parallel and kept in this order. At least one. */
  parts: CompositionPart<P>[]
  /**
   * The composed props schema.
   * @default the merge of the parts' schemas (see `mergeSchemas`); parts given by name contribute nothing,
   * since they are only known at render time
   */
  props?: JsonSchema
}

interface ComponentLookup {
  get(name: string): ComponentDefinition | undefined
}

interface CompiledPart {
  component: ServerComponentDefinition<Record<string, unknown>> | string
  mapping: CompiledMapping
}

/** Carries the names of the compositions being rendered, to stop one that (indirectly) contains itself. */
const trailKey = Symbol('ixp.compositionTrail')
type TrailContext = IxpContext & { [trailKey]?: readonly string[] }

/**
 * Builds a server component that renders every part in parallel, each with its mapped props, and returns
 * them in order inside a container: `{ type: Layout, props: { ...layoutProps, layout }, children }`.
 *
 * Parts receive a shallow copy of the context (plus a private marker used to detect compositions that
 * contain themselves). A failing part fails the whole render with its own error: wrap a part in
 * `withErrorBoundary` to render a fallback for it instead.
 */
export function composeComponents<P = Record<string, unknown>>(
  options: CompositionOptions<P>,
): ServerComponentDefinition<P> {
  const { name, description, layout, layoutProps, parts, props: schemaOption } = checkOptions(options)
  const compiled = parts.map((part, index) => compilePart(part, `composeComponents('${name}') part ${index}`))
  const schema =
    schemaOption ??
    compiled.reduce<JsonSchema | undefined>(
      (merged, part) =>
        typeof part.component === 'string'
          ? merged
          : mergeSchemas(merged, partSchema(part.component.props as JsonSchema | undefined, part.mapping)),
      undefined,
    )

  const definition: ServerComponentDefinition<P> = {
    name,
    ...(description === undefined ? {} : { description }),
    ...(schema === undefined ? {} : { props: schema }),
    render: async (props, ctx) => {
      const trail = (ctx as TrailContext)[trailKey] ?? []
      if (trail.includes(name)) {
        throw coreError(
          'INVALID_DEFINITION',
          { reason: `Composition '${name}' contains itself: ${[...trail, name].join(' → ')}.` },
          { details: { trail: [...trail, name] } },
        )
      }
      const partContext: TrailContext = { ...ctx, [trailKey]: [...trail, name] }
      const trees = await Promise.all(
        compiled.map((part, index) => renderPart(part, index, props as Record<string, unknown>, partContext)),
      )
      return h(Layout, { ...layoutProps, layout }, ...trees)
    },
  }
  return definition

  async function renderPart(
    part: CompiledPart,
    index: number,
    props: Record<string, unknown>,
    ctx: IxpContext,
  ): Promise<RenderNode> {
    const where = `composition '${name}' part ${index}`
    const component = typeof part.component === 'string' ? lookUp(part.component, ctx, where) : part.component
    return startRender(component, applyMapping(part.mapping, props, ctx, where), ctx)
  }
}

function lookUp(
  componentName: string,
  ctx: IxpContext,
  where: string,
): ServerComponentDefinition<Record<string, unknown>> {
  const registry: ComponentLookup | undefined = ctx.engine?.components
  if (!registry) {
    const why = `: ${where} names it, but the context has no engine to look it up in (render through engine.render(), or give the part as a definition)`
    throw coreError(
      'COMPONENT_NOT_FOUND',
      { component: componentName, where: why },
      { details: { component: componentName } },
    )
  }
  const found = registry.get(componentName)
  if (!found) {
    throw coreError(
      'COMPONENT_NOT_FOUND',
      { component: componentName, where: ` (${where})` },
      { details: { component: componentName } },
    )
  }
  if (typeof found.render !== 'function') {
    throw coreError(
      'INVALID_DEFINITION',
      {
        reason:
          `${where}: component '${componentName}' is a remote component (rendered by the client); ` +
          'a composition can only contain server components.',
      },
      { details: { component: componentName } },
    )
  }
  return found as ServerComponentDefinition<Record<string, unknown>>
}

function compilePart(part: unknown, where: string): CompiledPart {
  if (!isPlainObject(part)) {
    throw coreError('INVALID_DEFINITION', {
      reason: `${where} must be an object ({ component, props? }); got ${describeValue(part)}.`,
    })
  }
  const { component } = part
  if (component === undefined && typeof part.name === 'string') {
    throw coreError('INVALID_DEFINITION', {
      reason: `${where} looks like a component definition ('${part.name}'); write it as { component: definition }.`,
    })
  }
  if (typeof component === 'string') {
    if (component.length === 0)
      throw coreError('INVALID_DEFINITION', { reason: `${where}: the component name is empty.` })
  } else {
    assertServerComponent(component, where)
  }
  return {
    component: component as CompiledPart['component'],
    mapping: compileMapping(part.props, where),
  }
}

interface CheckedOptions<P> {
  name: string
  description: string | undefined
  layout: LayoutKind
  layoutProps: Record<string, unknown>
  parts: CompositionPart<P>[]
  props: JsonSchema | undefined
}

function checkOptions<P>(options: CompositionOptions<P>): CheckedOptions<P> {
  if (!isPlainObject(options)) {
    throw coreError('INVALID_DEFINITION', {
      reason: 'composeComponents() needs an options object ({ name, parts }).',
    })
  }
  const { name, description, layout = 'stack', layoutProps = {}, parts, props } = options
  const where = `composeComponents('${String(name)}')`
  if (typeof name !== 'string' || name.length === 0) {
    throw coreError('INVALID_DEFINITION', { reason: 'composeComponents(): name must be a non-empty string.' })
  }
  if (description !== undefined && typeof description !== 'string') {
    throw coreError('INVALID_DEFINITION', { reason: `${where}: description must be a string.` })
  }
  if (typeof layout !== 'string' || !/^[A-Za-z][\w-]*$/.test(layout)) {
    throw coreError('INVALID_DEFINITION', {
      reason: `${where}: layout must be a token like 'stack', 'row' or 'grid'.`,
    })
  }
  if (!isPlainObject(layoutProps)) {
    throw coreError('INVALID_DEFINITION', { reason: `${where}: layoutProps must be a plain object.` })
  }
  const layoutCheck = validateTree({ type: Layout, props: layoutProps, children: [] })
  if (!layoutCheck.ok) {
    throw coreError('INVALID_DEFINITION', {
      reason: `${where}: layoutProps ${layoutCheck.path}: ${layoutCheck.message}.`,
    })
  }
  if (!Array.isArray(parts) || parts.length === 0) {
    throw coreError('INVALID_DEFINITION', { reason: `${where}: parts must be a non-empty array.` })
  }
  if (props !== undefined && !isPlainObject(props))
    throw coreError('INVALID_DEFINITION', { reason: `${where}: props must be a JSON Schema object.` })
  return { name, description, layout, layoutProps, parts, props }
}
