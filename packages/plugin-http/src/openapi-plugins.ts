/** Plugin routes that describe themselves, added to the OpenAPI document next to the built-in operations. */
import type { ListedRoute } from './route-table.js'

/** Adds each route's operation under its path (a plugin's operation replaces a built-in one it replaced). */
export function addPluginRoutes(
  document: Record<string, unknown>,
  routes: readonly ListedRoute[],
): Record<string, unknown> {
  if (routes.length === 0) return document
  const paths = { ...(document.paths as Record<string, Record<string, unknown>>) }
  for (const route of routes) {
    const operation: Record<string, unknown> = {
      responses: { '200': { description: 'OK' } },
      ...route.openapi,
      'x-ixp-plugin': route.owner,
    }
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation }
  }
  return { ...document, paths }
}
