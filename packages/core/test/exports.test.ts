import { describe, expect, expectTypeOf, it } from 'vitest'
import * as core from '../src/index.js'
import type { Engine, IxpPlugin, RenderResult, ResolveOutcome } from '../src/index.js'

describe('public surface of @ixp/core', () => {
  it('exports exactly these values', () => {
    expect(Object.keys(core).sort()).toMatchInlineSnapshot(`
      [
        "DEFAULT_SECURITY_POLICY",
        "ERROR_CLASSES",
        "Engine",
        "ErrorCodes",
        "INTENT_KINDS",
        "IxpError",
        "Stage",
        "TTL",
        "VERSION",
        "canonicalIpv4",
        "checkComponent",
        "checkIntent",
        "classifyError",
        "clientAddress",
        "clientIdentity",
        "compileParameters",
        "computeTtl",
        "consoleLogger",
        "createEngine",
        "defineExtension",
        "defineIntent",
        "formatIp",
        "ipInRange",
        "isForbiddenKey",
        "isIxpError",
        "isObject",
        "loadComponents",
        "loadIntents",
        "parseIp",
        "parseIpRange",
        "removeTap",
        "sharedBus",
        "silentLogger",
        "toIxpError",
      ]
    `)
  })

  it('types the main entry points', () => {
    expectTypeOf(core.createEngine).returns.toEqualTypeOf<Engine>()
    expectTypeOf<Engine['render']>().returns.resolves.toEqualTypeOf<RenderResult>()
    expectTypeOf<Engine['resolve']>().returns.resolves.toEqualTypeOf<ResolveOutcome>()
    expectTypeOf<IxpPlugin['apply']>().parameter(0).toEqualTypeOf<Engine>()
  })
})
