/** The public surface of every entry point, so a change to it is a deliberate one. */
import { describe, expect, expectTypeOf, it } from 'vitest'
import * as main from '@ixp/plugin-http'
import * as express from '@ixp/plugin-http/express'
import * as fastify from '@ixp/plugin-http/fastify'
import * as hono from '@ixp/plugin-http/hono'
import * as node from '@ixp/plugin-http/node'
import type { HttpHandler } from '@ixp/plugin-http'

describe('exports', () => {
  it.each([
    [
      '@ixp/plugin-http',
      main,
      [
        'DEFAULT_SECURITY_HEADERS',
        'DEFAULT_THEME',
        'HttpErrorCodes',
        'MetricsCollector',
        'createHttpHandler',
        'httpHooks',
      ],
    ],
    ['@ixp/plugin-http/node', node, ['attachUpgrades', 'createNodeServer', 'toNodeHandler']],
    ['@ixp/plugin-http/express', express, ['ixpExpress']],
    ['@ixp/plugin-http/fastify', fastify, ['ixpFastify']],
    ['@ixp/plugin-http/hono', hono, ['ixpHono']],
  ] as const)('%s exports exactly its API', (_name, module, names) => {
    expect(Object.keys(module).sort()).toEqual([...names].sort())
  })

  it('the handler is a fetch function plus a few read-only facts', () => {
    expectTypeOf<HttpHandler['fetch']>().toEqualTypeOf<(request: Request) => Promise<Response>>()
    expectTypeOf<HttpHandler['basePath']>().toEqualTypeOf<string>()
  })
})
