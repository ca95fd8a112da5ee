/**
 * Plugin lifecycle: plugins are queued by `use()` (their `core` range checked by what `@ixp/core/plugin-kit`
 * installs), applied in order by `ready()`
 * (each after the plugins it depends on), removed one by one by `unuse()`, and torn down in reverse order by
 * `close()`. The host also keeps the engine's extensions.
 */
import type { Engine } from './engine.js'
import { coreError, isIxpError, type IxpError } from './errors.js'
import type { EngineHooks } from './hooks/index.js'
import { isTapableHook, makePortable, type CodeGeneration } from './hooks/portable.js'
import { Extensions, type Extension } from './plugin-host/extensions.js'
import { Footprint, FootprintRecorder } from './plugin-host/footprint.js'
import { withTimeout } from './plugin-kit/async.js'

/** Undoes what a plugin's `apply` did; runs on `unuse()` and on `close()` (in reverse installation order). */
export type Teardown = () => void | Promise<void>

export interface IxpPlugin {
  /** Unique name, e.g. `@ixp/plugin-auth`. */
  name: string
  version?: string
  /** Names of plugins that must be installed before this one; `unuse()` refuses to remove those while this one is installed. */
  dependencies?: readonly string[]
  /**
   * The `@ixp/core` versions this plugin works with, as a semver range (`'^0.1.0'`); checked by `use()` once
   * `@ixp/core/plugin-kit` is imported (a plugin declaring it imports that), refused until then.
   */
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

function messageOf(error: unknown): string {
  return (error as Error)?.message ?? String(error)
}

/** Resolves a factory and checks the plugin's shape, naming the field at fault. */
export function toPlugin(input: PluginInput): IxpPlugin {
  const invalid = (reason: string) => coreError('PLUGIN_INVALID', { reason })
  let plugin: unknown = input
  if (typeof input === 'function') {
    try {
      plugin = input()
    } catch (error) {
      throw coreError(
        'PLUGIN_INVALID',
        { reason: `Plugin factory threw: ${messageOf(error)}` },
        { cause: error },
      )
    }
  }
  if (typeof plugin !== 'object' || plugin === null) {
    throw invalid('A plugin must be an object { name, apply } or a function returning one')
  }
  const { name, apply, dependencies, core } = plugin as Partial<IxpPlugin>
  const problem =
    typeof name !== 'string' || name.trim() === ''
      ? 'name must be a non-empty string'
      : typeof apply !== 'function'
        ? 'apply(engine) must be a function'
        : dependencies !== undefined &&
            (!Array.isArray(dependencies) || dependencies.some((d) => typeof d !== 'string'))
          ? 'dependencies must be an array of names'
          : core !== undefined && (typeof core !== 'string' || !core.trim())
            ? `core must be a semver range such as '^0.1.0', got ${JSON.stringify(core)}`
            : undefined
  if (problem)
    throw invalid(`Plugin ${typeof name === 'string' && name ? `'${name}'` : 'without a name'}: ${problem}`)
  return plugin as IxpPlugin
}

interface TeardownFailure {
  plugin: string
  error: unknown
}

/** Runs the teardowns of `plugins` in order, each even when an earlier one failed; returns the failures. */
async function runTeardowns(plugins: readonly Installed[]): Promise<TeardownFailure[]> {
  const failures: TeardownFailure[] = []
  for (const plugin of plugins) {
    try {
      await plugin.teardown?.()
    } catch (error) {
      failures.push({ plugin: plugin.name, error })
    }
  }
  return failures
}

function teardownError(failures: TeardownFailure[], note: string): IxpError {
  return coreError(
    'PLUGIN_TEARDOWN_FAILED',
    { failures: failures.map((f) => `'${f.plugin}' (${messageOf(f.error)})`).join(', '), note },
    { cause: failures[0]!.error, details: { plugins: failures.map((f) => f.plugin) } },
  )
}

/** Refuses a plugin made for another `@ixp/core` (installed by `@ixp/core/plugin-kit`). */
export type CoreRangeCheck = (plugin: IxpPlugin & { core: string }) => void

let coreRangeCheck: CoreRangeCheck | undefined

/** Installs the check of plugins' `core` ranges (the first installed stays). */
export function installCoreRangeCheck(check: CoreRangeCheck): void {
  coreRangeCheck ??= check
}

/** A plugin's `core` range is checked, or the plugin refused: never accepted unchecked. */
function checkCoreRange(plugin: IxpPlugin): void {
  if (plugin.core === undefined) return
  if (coreRangeCheck === undefined) {
    throw coreError('PLUGIN_INVALID', {
      reason: `Plugin '${plugin.name}' declares core '${plugin.core}': import '@ixp/core/plugin-kit' to check it`,
    })
  }
  coreRangeCheck(plugin as IxpPlugin & { core: string })
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
      throw coreError('PLUGIN_DUPLICATE', { plugin: plugin.name })
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
        const problem = later ? `registered after it: register '${dependency}' first` : 'not registered'
        throw coreError(
          'PLUGIN_DEPENDENCY_MISSING',
          { plugin: plugin.name, dependency, problem },
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
          () => new Error(`apply() did not finish within ${this.#applyTimeoutMs} ms`),
        )
      } catch (error) {
        // A plugin that failed to apply leaves nothing behind.
        this.#recorder.stop(footprint)
        footprint.erase()
        if (isIxpError(error) && error.code === 'PLUGIN_APPLY_FAILED') throw error
        throw coreError(
          'PLUGIN_APPLY_FAILED',
          { plugin: plugin.name, reason: messageOf(error) },
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
      throw coreError('PLUGIN_NOT_FOUND', { plugin: String(name) }, { details: { plugin: name } })
    }
    if (dependants.length > 0) {
      throw coreError(
        'PLUGIN_IN_USE',
        { plugin: name, dependants: dependants.map((d) => `'${d}'`).join(', ') },
        { details: { plugin: name, dependants } },
      )
    }
    if (index === -1) {
      this.#queue.splice(queued, 1)
      return onRemoved(false)
    }
    const [plugin] = this.#installed.splice(index, 1)
    const failures = await runTeardowns([plugin!])
    plugin!.footprint.erase()
    onRemoved(true)
    if (failures.length > 0) throw teardownError(failures, '; its taps and registrations were removed')
  }

  /** Runs every teardown in reverse order, even when some fail; then reports the failures together. */
  async teardownAll(): Promise<void> {
    const failures = await runTeardowns([...this.#installed].reverse())
    this.#installed.length = 0
    this.#queue.length = 0
    if (failures.length > 0) throw teardownError(failures, '')
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
