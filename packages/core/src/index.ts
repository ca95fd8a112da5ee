/**
 * @ixp/core — a tiny, transport-agnostic engine for the Intent Exchange Protocol.
 * This file is the package's public API.
 */
export { createEngine, Engine, type EngineOptions, type RegisterOptions } from './engine.js'
export {
  coreError,
  ErrorCodes,
  IxpError,
  isIxpError,
  toIxpError,
  type CoreErrorCode,
  type IxpErrorOptions,
  type ValidationIssue,
} from './errors.js'
export {
  defineErrors,
  type ErrorArgs,
  type ErrorExtras,
  type ErrorFactory,
  type ErrorSpec,
  type TemplateNames,
  type TemplateParams,
  type TemplateValue,
} from './error-table.js'
export {
  defineIntent,
  type HandlerData,
  type IntentProps,
  type ParametersOf,
  type TypedIntentDefinition,
} from './infer.js'
export type { EngineEvents, RegistryChange } from './events.js'
export {
  INTENT_KINDS,
  type IntentKind,
  type Invalidation,
  type InvalidationRequest,
  type TagFunction,
} from './invalidation.js'
export type { HealthCheck, HealthCheckResult, HealthReport } from './health.js'
export {
  removeTap,
  Stage,
  type CodeGeneration,
  type DiscoveryPurpose,
  type EngineHooks,
  type ErrorInfo,
  type RenderState,
  type StageName,
} from './hooks/index.js'
export { consoleLogger, silentLogger, type Logger, type LogLevel } from './logger.js'
export type { InstalledPlugin, IxpPlugin, PluginInput, Teardown } from './plugins.js'
export { defineExtension, type Extension } from './plugin-host/extensions.js'
export { VERSION } from './version.js'
export type { ComponentStats, FindCriteria, IntentStats, ReadonlyRegistry } from './registry.js'
export { computeTtl, TTL } from './ttl.js'
export { checkComponent, checkIntent, type DefinitionIssue } from './definitions.js'
export {
  compileParameters,
  type ParameterValidator,
  type ValidationOutcome,
} from './validation/parameters.js'
export { isForbiddenKey } from './validation/sanitize.js'
export type * from './types.js'
export { isObject } from './objects.js'
