/**
 * Plugin lifecycle: plugins are queued by `use()`, applied in order by `ready()` (each after the plugins it
 * depends on), and torn down in reverse order by `close()`.
 */
import type { Engine } from './engine.js'
import { IxpError, isIxpError } from './errors.js'

/** Undoes what a plugin's `apply` did; runs on `close()`, in reverse installation order. */
export type Teardown = () => void | Promise<void>

export interface IxpPlugin {
  /** Unique name, e.g. `@ixp/plugin-auth`. */
  name: string
  version?: string
  /** Names of plugins that must be installed before this one. */
  dependencies?: readonly string[]
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
  return candidate as IxpPlugin
}

function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => IxpError): Promise<T> {
  if (!(ms > 0)) return work
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}

export class PluginHost {
  readonly #queue: IxpPlugin[] = []
  readonly #installed: Installed[] = []
  readonly #applyTimeoutMs: number

  constructor(applyTimeoutMs: number) {
    this.#applyTimeoutMs = applyTimeoutMs
  }

  /** Plugins installed so far, in order. */
  get installed(): readonly InstalledPlugin[] {
    return this.#installed.map(({ name, version, dependencies }) => ({ name, version, dependencies }))
  }

  get hasPending(): boolean {
    return this.#queue.length > 0
  }

  /** Queues a plugin; a duplicate name is refused at once. */
  enqueue(input: PluginInput): IxpPlugin {
    const plugin = toPlugin(input)
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
      try {
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
      }
      this.#installed.push(installed)
      onInstalled(installed)
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
