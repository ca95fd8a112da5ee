/**
 * Type inference of intent parameters and render props: what lets `registerIntent({ parameters: Type.Object(…),
 * handler: (params) => … })` type `params` without annotations. Types, and one identity function.
 */
import type { Static } from 'typebox'
import type { XStatic } from 'typebox/schema'
import type { IntentDefinition, IxpContext, SchemaInput } from './types.js'

/**
 * The parameters an intent's schema describes: `Static<S>` of a TypeBox schema, TypeBox's JSON Schema inference
 * for a literal JSON Schema (`as const`, or written inline), and `Record<string, unknown>` when the schema is
 * only known as a `JsonSchema` (loaded from a file, built at run time).
 */
export type ParametersOf<S> = S extends { readonly '~kind': string }
  ? Static<S>
  : string extends keyof S
    ? Record<string, unknown>
    : XStatic<S> extends infer Params extends Record<string, unknown>
      ? Params
      : Record<string, unknown>

/** What a handler may return: extra props for the component (or nothing). */
export type HandlerData = Record<string, unknown> | void

/**
 * An intent definition whose handler's `params` are inferred from `parameters` and whose handler data is kept in
 * the type, so that {@link IntentProps} can give its component typed props (see {@link defineIntent}).
 */
export type TypedIntentDefinition<
  S extends SchemaInput = SchemaInput,
  Data extends HandlerData = HandlerData,
> = IntentDefinition<ParametersOf<S>> & {
  parameters: S
  handler?: (params: ParametersOf<S>, ctx: IxpContext) => Data | Promise<Data>
}

/**
 * The props a component receives from an intent defined with {@link defineIntent}: the validated parameters
 * merged with what the handler returned (handler data wins, as at run time). `options` of a render request are
 * merged last at run time and are not part of this type.
 */
export type IntentProps<I> =
  I extends TypedIntentDefinition<infer S, infer Data>
    ? Omit<ParametersOf<S>, keyof DataProps<Data>> & DataProps<Data>
    : Record<string, unknown>

/** The props a handler's data adds (none when it returns nothing). */
type DataProps<Data> = [Exclude<Data, void>] extends [never] ? {} : Exclude<Data, void>

/**
 * Returns its argument, typed: `params` of the handler inferred from `parameters` (a TypeBox or literal JSON
 * Schema), and the handler's data kept for {@link IntentProps}. Pass the result to `engine.registerIntent()`.
 */
export function defineIntent<const S extends SchemaInput, Data extends HandlerData = void>(
  definition: TypedIntentDefinition<S, Data>,
): TypedIntentDefinition<S, Data> {
  return definition
}
