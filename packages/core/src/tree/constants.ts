/**
 * Reserved element types of IXP render trees. They are plain strings so trees stay JSON; the `ixp:` prefix
 * cannot collide with an HTML tag name.
 */

/** A node that renders its children only (no element of its own). */
export const Fragment = 'ixp:fragment'

/** The container of a composed component: `props.layout` says how its children are arranged. */
export const Layout = 'ixp:layout'

/**
 * Stands in for content that was not ready in time (see `withLoadingState`): the client shows the node's
 * children and replaces the node with a fresh render of `props.component`.
 */
export const Placeholder = 'ixp:placeholder'

/** The error code raised for malformed render trees (a server-side bug, hence status 500). */
export const INVALID_RENDER_TREE = 'INVALID_RENDER_TREE'
