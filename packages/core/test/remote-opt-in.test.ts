/**
 * Remote components are opt-in: the root entry checks server components only, and refuses a remote component
 * (no render function) — naming the import to add — until `@ixp/core/remote` is loaded; it never registers one
 * unchecked. This file must not import that module statically: vitest gives each test file its own module
 * graph, so the checks are absent until the dynamic import below.
 */
import { describe, expect, it } from 'vitest'
import { checkComponent, createEngine, silentLogger } from '../src/index.js'
import { thrown } from './thrown.js'

const map = {
  name: 'Map',
  remoteUrl: 'https://cdn.example.com/map.js',
  exportName: 'StoreMap',
  framework: 'react',
}

describe('@ixp/core/remote', () => {
  it('refuses remote components until the checks are imported, naming the import; then checks them', async () => {
    const engine = createEngine({ logger: silentLogger })
    const error = thrown(() => engine.registerComponent(map))
    expect(error.code).toBe('INVALID_DEFINITION')
    expect(error.message).toContain("import '@ixp/core/remote'")
    expect(checkComponent(map)).toEqual([
      { path: 'render', message: expect.stringContaining("import '@ixp/core/remote'") },
    ])
    // Server components need nothing more.
    engine.registerComponent({ name: 'Hello', render: () => 'hi' })

    const remote = await import('@ixp/core/remote')
    engine.registerComponent(map)
    expect(engine.components.get('Map')?.securityPolicy).toEqual(remote.DEFAULT_SECURITY_POLICY)
    // Now installed, the remote checks themselves apply (and a registerComponent tap cannot dodge them).
    const unsafe = thrown(() =>
      engine.registerComponent({
        ...map,
        name: 'Unsafe',
        securityPolicy: { csp: { 'script-src': ["'unsafe-eval'"] } },
      }),
    )
    expect(unsafe.message).toContain("securityPolicy.csp.script-src must not allow 'unsafe-eval'")
    engine.hooks.registerComponent.tap(
      'test:strip-url',
      (definition) => ({ ...definition, remoteUrl: 7 }) as never,
    )
    expect(thrown(() => engine.registerComponent({ ...map, name: 'Other' })).message).toContain('remoteUrl')
  })
})
