import { describe, expect, expectTypeOf, it } from 'vitest'
import * as core from '../src/index.js'
import * as net from '../src/net/index.js'
import * as portableHooks from '../src/portable-hooks/index.js'
import * as referenceFiles from '../src/reference-files/index.js'
import * as remote from '../src/remote/index.js'
import type { Engine, IxpPlugin, RenderResult, ResolveOutcome } from '../src/index.js'

describe('public surface of @ixp/core', () => {
  it('exports exactly these values', () => {
    expect(Object.keys(core).sort()).toMatchInlineSnapshot(`
      [
        "Engine",
        "ErrorCodes",
        "INTENT_KINDS",
        "IxpError",
        "Stage",
        "TTL",
        "VERSION",
        "checkComponent",
        "checkIntent",
        "compileParameters",
        "computeTtl",
        "consoleLogger",
        "coreError",
        "createEngine",
        "defineErrors",
        "defineExtension",
        "defineIntent",
        "isForbiddenKey",
        "isIxpError",
        "isObject",
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

  it.each([
    [
      '@ixp/core/net',
      net,
      [
        'canonicalIpv4',
        'clientAddress',
        'clientIdentity',
        'formatIp',
        'ipInRange',
        'parseIp',
        'parseIpRange',
      ],
    ],
    ['@ixp/core/portable-hooks', portableHooks, ['installPortableHooks']],
    ['@ixp/core/reference-files', referenceFiles, ['loadComponents', 'loadIntents']],
    ['@ixp/core/remote', remote, ['DEFAULT_SECURITY_POLICY', 'installRemoteComponents']],
  ])('%s exports exactly these values, none of which the root entry carries', (_, module, expected) => {
    const names = Object.keys(module).sort()
    expect(names).toEqual(expected)
    expect(names.filter((name) => name in core)).toEqual([])
  })
})
