import { describe, expect, expectTypeOf, it } from 'vitest'
import * as core from '../src/index.js'
import * as net from '../src/net/index.js'
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
        "checkComponent",
        "checkIntent",
        "classifyError",
        "compileParameters",
        "computeTtl",
        "consoleLogger",
        "createEngine",
        "defineExtension",
        "defineIntent",
        "isForbiddenKey",
        "isIxpError",
        "isObject",
        "loadComponents",
        "loadIntents",
        "removeTap",
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

  it('@ixp/core/net exports exactly these values, none of which the root entry carries', () => {
    const names = Object.keys(net).sort()
    expect(names).toEqual([
      'canonicalIpv4',
      'clientAddress',
      'clientIdentity',
      'formatIp',
      'ipInRange',
      'parseIp',
      'parseIpRange',
    ])
    expect(names.filter((name) => name in core)).toEqual([])
  })
})
