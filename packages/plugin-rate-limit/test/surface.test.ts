import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { IntentDefinition, IxpContext, RenderMeta } from '@ixp/core'
import { describe, expect, expectTypeOf, it } from 'vitest'
import * as main from '../src/index.js'
import * as redis from '../src/redis/index.js'
import type { IntentRateLimit, RateLimitDecision, RateLimitPlugin } from '../src/index.js'

describe('public surface', () => {
  it('exports what it means to', () => {
    expect(Object.keys(main).sort()).toEqual(['RateLimitErrorCodes', 'memoryStore', 'rateLimit'])
    expect(Object.keys(redis).sort()).toEqual(['redisStore'])
    expect(main.RateLimitErrorCodes).toEqual({
      RATE_LIMITED: 429,
      RATE_LIMIT_UNAVAILABLE: 503,
      RATE_LIMIT_INVALID_OPTIONS: 500,
    })
  })

  it('returns a typed plugin named after the package', () => {
    expectTypeOf(main.rateLimit).returns.toEqualTypeOf<RateLimitPlugin>()
    expectTypeOf<RateLimitPlugin['name']>().toEqualTypeOf<'@ixp/plugin-rate-limit'>()
    expect(main.rateLimit({ limit: 1, windowMs: 1000 }).name).toBe('@ixp/plugin-rate-limit')
  })

  it('builds its errors from its table, the shared RATE_LIMITED from the core', () => {
    expect(() => main.rateLimit({ limit: 0, windowMs: 1000 })).toThrow(
      expect.objectContaining({
        code: 'RATE_LIMIT_INVALID_OPTIONS',
        status: 500,
        expose: false,
        message: expect.stringMatching(/^@ixp\/plugin-rate-limit: /),
      }),
    )
  })

  it('extends the core types for the decision and per-intent settings', () => {
    expectTypeOf<IxpContext['rateLimit']>().toEqualTypeOf<RateLimitDecision | undefined>()
    expectTypeOf<RenderMeta['rateLimit']>().toEqualTypeOf<RateLimitDecision | undefined>()
    expectTypeOf<IntentDefinition['rateLimit']>().toEqualTypeOf<IntentRateLimit | false | undefined>()
  })

  it('keeps Node built-ins out of the main entry (it runs on edge runtimes; only the Redis store needs Node)', () => {
    const src = join(import.meta.dirname, '../src')
    const files = readdirSync(src).filter((file) => file.endsWith('.ts'))
    for (const file of files)
      expect(readFileSync(join(src, file), 'utf8'), file).not.toMatch(/from 'node:|from 'ioredis'/)
  })
})
