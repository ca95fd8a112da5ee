import { describe, expect, expectTypeOf, it } from 'vitest'
import * as core from '../src/index.js'
import type { Engine, IxpPlugin, RenderResult, ResolveOutcome } from '../src/index.js'

describe('public surface of @ixp/core', () => {
  it('exports exactly these values', () => {
    expect(Object.keys(core).sort()).toMatchInlineSnapshot(`
      [
        "DEFAULT_SECURITY_POLICY",
        "Engine",
        "ErrorCodes",
        "Fragment",
        "INTENT_KINDS",
        "INVALID_RENDER_TREE",
        "IxpError",
        "Layout",
        "Placeholder",
        "Stage",
        "TTL",
        "checkComponent",
        "checkIntent",
        "compileParameters",
        "compose",
        "composeComponents",
        "computeTtl",
        "consoleLogger",
        "containsPlaceholder",
        "createEngine",
        "h",
        "isElementNode",
        "isForbiddenKey",
        "isIxpError",
        "loadComponents",
        "loadIntents",
        "mergeSchemas",
        "normalizeTree",
        "removeTap",
        "silentLogger",
        "toIxpError",
        "validateTree",
        "withErrorBoundary",
        "withGuard",
        "withLoadingState",
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
