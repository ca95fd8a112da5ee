/**
 * The render-tree toolkit: building trees (`h`), checking what a render returned (`validateTree`,
 * `normalizeTree`), higher-order components and composition of server components.
 */
export { Fragment, INVALID_RENDER_TREE, Layout, Placeholder } from './constants.js'
export { h, type Child, type FunctionComponent } from './h.js'
export {
  isElementNode,
  normalizeTree,
  validateTree,
  type TreeLimits,
  type TreeValidation,
} from './normalize.js'
export { containsPlaceholder } from './placeholder.js'
export type { ComponentHoc, TreeOrFactory } from './hoc/shared.js'
export { withErrorBoundary, type ErrorBoundaryOptions } from './hoc/error-boundary.js'
export { withLoadingState, type LoadingStateOptions } from './hoc/loading-state.js'
export { withGuard, type GuardOptions } from './hoc/guard.js'
export { compose } from './hoc/compose.js'
export {
  composeComponents,
  type CompositionOptions,
  type CompositionPart,
  type LayoutKind,
} from './composition/compose-components.js'
export type { PropMapping } from './composition/prop-mapping.js'
export { mergeSchemas } from './composition/merge-schemas.js'
