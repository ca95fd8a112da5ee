/**
 * Plugin lifecycle: plugins are queued by `use()` (their `core` range checked), applied in order by `ready()`
 * (each after the plugins it depends on), removed one by one by `unuse()`, and torn down in reverse order by
 * `close()`. The host also keeps the engine's extensions.
 */
import type { Engine } from './engine.js'
import { IxpError, isIxpError } from './errors.js'
import type { EngineHooks } from './hooks/index.js'
import { isTapableHook, makePortable, type CodeGeneration } from './hooks/portable.js'
import { Extensions, type Extension } from './plugin-host/extensions.js'
import { Footprint, FootprintRecorder } from './plugin-host/footprint.js'
import { parseRange, satisfies } from './plugin-host/semver-range.js'
import { VERSION } from './version.js'
import { withTimeout } from './plugin-kit/async.js'

/** Undoes what a plugin's `apply` did; runs on `unuse()` and on `close()` (in reverse installation order). */
export type Teardown = () => void | Promise<void>

export interface IxpPlugin {
  /** Unique name, e.g. `@ixp/plugin-auth`. */
  name: string
  version?: string
  /** Names of plugins that must be installed before this one; `unuse()` refuses to remove those while this one is installed. */
  dependencies?: readonly string[]
  /** The `@ixp/core` versions this plugin works with, as a semver range (`'^0.1.0'`); checked by `use()`. */
  core?: string
  /** Installs the plugin: tap hooks, register definitions. May be async and may return a teardown. */
  apply(engine: Engine): void | Teardown | Promise<void | Teardown>
}

/** A plugin, or a function returning one. */
export type PluginInput = IxpPlugin | (() => IxpPlugin)

export interface InstalledPlugin {
  readonly name: string
  readonly version: string | undefined
  readonly dependencies: readonly string[]
}

interface Installed extends InstalledPlugin {
  teardown: Teardown | undefined
  /** What its `apply` added (taps, definitions, health checks), removed by `unuse()`. */
  footprint: Footprint
}

function describePlugin(value: unknown): string {
  const name = (value as { name?: unknown } | null)?.name
  return typeof name === 'string' && name ? `'${name}'` : 'without a name'
}

/** Resolves a factory and checks the plugin's shape, naming the field at fault. */
export function toPlugin(input: PluginInput): IxpPlugin {
  let plugin: unknown = input
  if (typeof input === 'function') {
    try {
      plugin = input()
    } catch (error) {
      throw new IxpError(
        'PLUGIN_INVALID',
        `Plugin factory threw: ${(error as Error)?.message ?? String(error)}`,
        {
          cause: error,
        },
      )
    }
  }
  if (typeof plugin !== 'object' || plugin === null) {
    throw new IxpError(
      'PLUGIN_INVALID',
      'A plugin must be an object { name, apply } or a function returning one',
    )
  }
  const candidate = plugin as Partial<IxpPlugin>
  if (typeof candidate.name !== 'string' || candidate.name.trim() === '') {
    throw new IxpError('PLUGIN_INVALID', 'Plugin name must be a non-empty string')
  }
  if (typeof candidate.apply !== 'function') {
    throw new IxpError('PLUGIN_INVALID', `Plugin ${describePlugin(plugin)} has no apply(engine) function`)
  }
  const dependencies = candidate.dependencies
  if (
    dependencies !== undefined &&
    (!Array.isArray(dependencies) || dependencies.some((d) => typeof d !== 'string'))
  ) {
    throw new IxpError(
      'PLUGIN_INVALID',
      `Plugin ${describePlugin(plugin)}: dependencies must be an array of names`,
    )
  }
  const core = candidate.core
  if (core !== undefined && (typeof core !== 'string' || core.trim() === '' || !parseRange(core))) {
    throw new IxpError(
      'PLUGIN_INVALID',
      `Plugin ${describePlugin(plugin)}: core must be a semver range such as '^0.1.0', got ${JSON.stringify(candidate.core)}`,
    )
  }
  return candidate as IxpPlugin
}

/** Refuses a plugin made for another `@ixp/core` (as Fastify checks a plugin's `fastify` range). */
function checkCoreRange(plugin: IxpPlugin): void {
  if (plugin.core === undefined || satisfies(VERSION, parseRange(plugin.core)!)) return
  throw new IxpError(
    'PLUGIN_VERSION_MISMATCH',
    `Plugin '${plugin.name}' supports @ixp/core ${plugin.core}, but this is @ixp/core ${VERSION}: install a version of the plugin made for it`,
    { details: { plugin: plugin.name, range: plugin.core, core: VERSION } },
  )
}

export class PluginHost {
  readonly #queue: IxpPlugin[] = []
  readonly #installed: Installed[] = []
  readonly #applyTimeoutMs: number
  readonly #recorder = new FootprintRecorder()
  readonly #extensions: Extensions

  /** Watches the engine's `hooks` so a plugin's taps can be removed; extension hooks get `codeGeneration`. */
  constructor(applyTimeoutMs: number, hooks: EngineHooks, codeGeneration: CodeGeneration) {
    this.#applyTimeoutMs = applyTimeoutMs
    for (const hook of Object.values(hooks)) this.#recorder.watch(hook)
    this.#extensions = new Extensions((value) => {
      if (typeof value !== 'object' || value === null) return
      for (const hook of Object.values(value)) {
        if (!isTapableHook(hook)) continue
        makePortable(hook, codeGeneration)
        this.#recorder.watch(hook)
      }
    })
  }

  /** The engine's instance of an extension, created on first use. */
  extension<T>(engine: Engine, key: Extension<T>): T {
    return this.#extensions.get(engine, key)
  }

  /** Records `undo` (an unregister function) for the plugin being applied, if any; returns it. */
  own<T extends () => void>(undo: T): T {
    return this.#recorder.own(undo)
  }

  /** Plugins installed so far, in order. */
  get installed(): readonly InstalledPlugin[] {
    return this.#installed.map(({ name, version, dependencies }) => ({ name, version, dependencies }))
  }

  get hasPending(): boolean {
    return this.#queue.length > 0
  }

  /** Queues a plugin; a duplicate name or an unsupported `core` range is refused at once. */
  enqueue(input: PluginInput): IxpPlugin {
    const plugin = toPlugin(input)
    checkCoreRange(plugin)
    if (
      this.#installed.some((p) => p.name === plugin.name) ||
      this.#queue.some((p) => p.name === plugin.name)
    ) {
      throw new IxpError('PLUGIN_DUPLICATE', `Plugin '${plugin.name}' is already registered`)
    }
    this.#queue.push(plugin)
    return plugin
  }

  /** Applies every queued plugin in order; stops at the first failure (later plugins stay queued). */
  async applyQueued(engine: Engine, onInstalled: (plugin: InstalledPlugin) => void): Promise<void> {
    while (this.#queue.length > 0) {
      const plugin = this.#queue[0]!
      for (const dependency of plugin.dependencies ?? []) {
        if (this.#installed.some((p) => p.name === dependency)) continue
        const later = this.#queue.some((p) => p.name === dependency)
        this.#queue.shift()
        throw new IxpError(
          'PLUGIN_DEPENDENCY_MISSING',
          later
            ? `Plugin '${plugin.name}' depends on '${dependency}', which is registered after it: register '${dependency}' first`
            : `Plugin '${plugin.name}' depends on '${dependency}', which is not registered`,
          { details: { plugin: plugin.name, dependency } },
        )
      }
      this.#queue.shift()
      let teardown: void | Teardown
      const footprint = new Footprint()
      try {
        this.#recorder.start(footprint)
        teardown = await withTimeout(
          Promise.resolve().then(() => plugin.apply(engine)),
          this.#applyTimeoutMs,
          () =>
            new IxpError(
              'PLUGIN_APPLY_FAILED',
              `Plugin '${plugin.name}' did not finish apply() within ${this.#applyTimeoutMs} ms`,
              {
                details: { plugin: plugin.name },
              },
            ),
        )
      } catch (error) {
        // A plugin that failed to apply leaves nothing behind.
        this.#recorder.stop(footprint)
        footprint.erase()
        if (isIxpError(error) && error.code === 'PLUGIN_APPLY_FAILED') throw error
        throw new IxpError(
          'PLUGIN_APPLY_FAILED',
          `Plugin '${plugin.name}' failed to apply: ${(error as Error)?.message ?? String(error)}`,
          { cause: error, details: { plugin: plugin.name } },
        )
      }
      const installed: Installed = {
        name: plugin.name,
        version: plugin.version,
        dependencies: plugin.dependencies ?? [],
        teardown: typeof teardown === 'function' ? teardown : undefined,
        footprint,
      }
      this.#recorder.stop(footprint)
      this.#installed.push(installed)
      onInstalled(installed)
    }
  }

  /**
   * Removes one plugin: refused while another plugin (installed or queued) depends on it; a queued plugin is
   * just dropped. An installed one's teardown runs, then what its `apply` added is removed; a failing teardown
   * is reported (`PLUGIN_TEARDOWN_FAILED`) after that removal. `onRemoved(applied)` runs once it is removed.
   */
  async remove(name: string, onRemoved: (applied: boolean) => void): Promise<void> {
    const dependants = [...this.#installed, ...this.#queue]
      .filter((plugin) => plugin.dependencies?.includes(name))
      .map((plugin) => plugin.name)
    const index = this.#installed.findIndex((plugin) => plugin.name === name)
    const queued = this.#queue.findIndex((plugin) => plugin.name === name)
    if (index === -1 && queued === -1) {
      throw new IxpError('PLUGIN_NOT_FOUND', `No plugin named '${String(name)}' is installed`, {
        details: { plugin: name },
      })
    }
    if (dependants.length > 0) {
      throw new IxpError(
        'PLUGIN_IN_USE',
        `Plugin '${name}' cannot be removed: ${dependants.map((d) => `'${d}'`).join(', ')} ${dependants.length === 1 ? 'depends' : 'depend'} on it; remove ${dependants.length === 1 ? 'it' : 'them'} first`,
        { details: { plugin: name, dependants } },
      )
    }
    if (index === -1) {
      this.#queue.splice(queued, 1)
      return onRemoved(false)
    }
    const [plugin] = this.#installed.splice(index, 1)
    let failed = false
    let failure: unknown
    try {
      await plugin!.teardown?.()
    } catch (error) {
      failed = true
      failure = error
    }
    plugin!.footprint.erase()
    onRemoved(true)
    if (failed) {
      throw new IxpError(
        'PLUGIN_TEARDOWN_FAILED',
        `Teardown failed for '${name}' (${(failure as Error)?.message ?? String(failure)}); its taps and registrations were removed`,
        { cause: failure, details: { plugins: [name] } },
      )
    }
  }

  /** Runs every teardown in reverse order, even when some fail; then reports the failures together. */
  async teardownAll(): Promise<void> {
    const failures: { plugin: string; error: unknown }[] = []
    for (const plugin of [...this.#installed].reverse()) {
      if (!plugin.teardown) continue
      try {
        await plugin.teardown()
      } catch (error) {
        failures.push({ plugin: plugin.name, error })
      }
    }
    this.#installed.length = 0
    this.#queue.length = 0
    if (failures.length > 0) {
      throw new IxpError(
        'PLUGIN_TEARDOWN_FAILED',
        `Teardown failed for ${failures.map((f) => `'${f.plugin}' (${(f.error as Error)?.message ?? String(f.error)})`).join(', ')}`,
        { cause: failures[0]!.error, details: { plugins: failures.map((f) => f.plugin) } },
      )
    }
  }

  /** The load order as an indented tree: each plugin under the dependencies it waits for. */
  describe(): string {
    if (this.#installed.length === 0) return '(no plugins)'
    return this.#installed
      .map((plugin, index) => {
        const label = `${index + 1}. ${plugin.name}${plugin.version ? `@${plugin.version}` : ''}`
        return plugin.dependencies.length ? `${label}  ← after ${plugin.dependencies.join(', ')}` : label
      })
      .join('\n')
  }
}
