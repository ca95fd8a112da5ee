/** A tiny, strict parser for `ixp semantic` arguments: known flags only, repeatable where documented. */

export interface FlagSpec {
  /** Takes a value (`--train a.jsonl`) rather than being a switch (`--json`). */
  value: boolean
  repeatable?: boolean
}

export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export interface ParsedArgs {
  values: Map<string, string[]>
  switches: Set<string>
}

export function parseFlags(argv: readonly string[], specs: Record<string, FlagSpec>): ParsedArgs {
  const values = new Map<string, string[]>()
  const switches = new Set<string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith('--')) throw new UsageError(`Unexpected argument '${arg}'`)
    const eq = arg.indexOf('=')
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq)
    const spec = specs[name]
    if (!spec) throw new UsageError(`Unknown option '--${name}'`)
    if (!spec.value) {
      if (eq !== -1) throw new UsageError(`Option '--${name}' takes no value`)
      switches.add(name)
      continue
    }
    let value: string | undefined
    if (eq !== -1) value = arg.slice(eq + 1)
    else {
      value = argv[i + 1]
      if (value === undefined || value.startsWith('--'))
        throw new UsageError(`Option '--${name}' needs a value`)
      i++
    }
    if (value === '') throw new UsageError(`Option '--${name}' needs a non-empty value`)
    const list = values.get(name) ?? []
    if (list.length > 0 && !spec.repeatable) throw new UsageError(`Option '--${name}' may be given once`)
    list.push(value)
    values.set(name, list)
  }
  return { values, switches }
}

export function numberFlag(
  args: ParsedArgs,
  name: string,
  check: (value: number) => boolean,
  what: string,
): number | undefined {
  const raw = args.values.get(name)?.[0]
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isFinite(value) || !check(value))
    throw new UsageError(`Option '--${name}' must be ${what}, got '${raw}'`)
  return value
}
