/** The shared HTTP suite through the real frameworks: Express 5 (with and without body parsers), Fastify 5, Hono 4. */
import { createServer } from 'node:http'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { describe, it } from 'vitest'
import { createHttpHandler } from '@ixp/plugin-http'
import { ixpExpress } from '@ixp/plugin-http/express'
import { ixpFastify } from '@ixp/plugin-http/fastify'
import { ixpHono } from '@ixp/plugin-http/hono'
import { httpCases, type Transport } from './suite.js'
import { listening } from './transports.js'

const expressPlain: Transport = {
  name: 'Express, no body parser',
  mount: (engine, options) => {
    const app = express()
    app.use('/ixp', ixpExpress(engine, options))
    return listening(createServer(app))
  },
}

const expressParsed: Transport = {
  name: 'Express after express.json() and express.urlencoded()',
  mount: (engine, options) => {
    const app = express()
    app.use(express.json({ limit: '10mb' }))
    app.use(express.urlencoded({ extended: true }))
    app.use('/ixp', ixpExpress(createHttpHandler(engine, options)))
    return listening(createServer(app))
  },
}

const fastify: Transport = {
  name: 'Fastify plugin',
  mount: async (engine, options) => {
    const app = Fastify({ routerOptions: { caseSensitive: false } })
    await app.register(ixpFastify, { engine, ...options, prefix: '/ixp' })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = app.server.address() as { port: number }
    return {
      request: (path, init) => fetch(`http://127.0.0.1:${port}${path}`, init),
      close: () => app.close(),
    }
  },
}

const hono: Transport = {
  name: 'Hono middleware',
  mount: async (engine, options) => {
    const app = new Hono()
    app.get('/', (c) => c.text('home'))
    app.use(ixpHono(engine, options))
    return {
      request: async (path, init) => app.request(path, init),
      close: async () => undefined,
    }
  },
}

for (const transport of [expressPlain, expressParsed, fastify, hono]) {
  describe(`HTTP suite — ${transport.name}`, () => {
    for (const testCase of httpCases) it(testCase.name, () => testCase.run(transport))
  })
}
