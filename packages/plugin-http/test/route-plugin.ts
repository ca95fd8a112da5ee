/**
 * A plugin that adds HTTP routes and decorates answers through `httpHooks(engine)`, as the shared suite serves
 * it on every transport. Runtime-neutral (runs inside workerd, Bun and Deno too).
 */
import { IxpError, type IxpPlugin } from '@ixp/core'
import { httpHooks } from '@ixp/plugin-http'

export const ROUTE_PLUGIN = 'suite-routes'

export function routePlugin(): IxpPlugin {
  return {
    name: ROUTE_PLUGIN,
    apply(engine) {
      const http = httpHooks(engine)
      http.routes.tap(ROUTE_PLUGIN, (routes) => {
        routes.push(
          {
            method: 'GET',
            path: '/hello',
            handler: (request, ctx) =>
              Response.json({
                hello: new URL(request.url).searchParams.get('name'),
                requestId: ctx.context.requestId,
                basePath: ctx.basePath,
                wrapped: request.headers.get('x-wrapped'),
              }),
            openapi: { summary: 'Says hello', responses: { '200': { description: 'A greeting' } } },
          },
          {
            method: 'POST',
            path: '/echo',
            handler: async (request) =>
              new Response(`echo: ${await request.text()}`, {
                status: 201,
                headers: { 'content-type': 'text/plain; charset=utf-8', 'x-echo': 'yes' },
              }),
          },
          {
            method: 'GET',
            path: '/refuse',
            handler: () => {
              throw new IxpError('FORBIDDEN', 'Not for you')
            },
          },
        )
        return routes
      })
      http.response.tap(ROUTE_PLUGIN, (headers, info) => ({ ...headers, 'x-route': info.route ?? 'none' }))
      // The metrics route answers through the plugin's provider (the handler's own option would win).
      http.metricsProvider.tap(
        ROUTE_PLUGIN,
        (given) =>
          given ??
          ((collector) => ({
            contentType: 'application/json; charset=utf-8',
            body: JSON.stringify({ ...collector.snapshot(), provider: ROUTE_PLUGIN }),
          })),
      )
    },
  }
}
