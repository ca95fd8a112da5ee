/**
 * Whether a version satisfies an npm-style semver range — the subset plugins use to declare the `@ixp/core`
 * they support: `1.2.3`, `=1.2.3`, `^0.1.0`, `~1.2`, `>=1.0.0 <2.0.0`, `1.x`, `*`, `1.0.0 - 1.4`, and `||`
 * between alternatives. Our own few lines rather than the `semver` package (~60 KB, several modules) because
 * the core's root entry has a 12 KB budget and runs on edge runtimes.
 *
 * As npm: a version with a prerelease tag (`1.0.0-rc.1`) satisfies a range only if one of its comparators
 * names the same major.minor.patch with a prerelease.
 */

type Version = [major: number, minor: number, patch: number, prerelease: string[]]
type Operator = '<' | '<=' | '>' | '>=' | '='
type Comparator = [op: Operator, version: Version]

// A version with missing or wildcard parts (`1`, `1.x`, `*`), an optional prerelease and build after the patch.
const PARTIAL = /^v?(\d+|[xX*])(?:\.(\d+|[xX*])(?:\.(\d+|[xX*])(?:-([\dA-Za-z.-]+))?(?:\+[\dA-Za-z.-]+)?)?)?$/
const COMPARATOR = /^(\^|~|[<>]?=?)(\S+)$/
const NUMERIC = /^\d+$/

/** Parses a full version (`1.2.3`, `1.2.3-rc.1`), or `undefined`. */
export function parseVersion(text: string): Version | undefined {
  const parsed = desugar(`=${text.trim()}`)
  return parsed?.length === 1 ? parsed[0]![1] : undefined
}

/** Semver precedence: negative when `a` comes first. */
function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  const [pa, pb] = [a[3], b[3]]
  if (!pa.length || !pb.length) return pb.length - pa.length
  for (let i = 0; i < pa.length && i < pb.length; i++) {
    const [x, y] = [pa[i]!, pb[i]!]
    if (x === y) continue
    const [nx, ny] = [NUMERIC.test(x), NUMERIC.test(y)]
    return nx && ny ? +x - +y : nx !== ny ? (nx ? -1 : 1) : x < y ? -1 : 1
  }
  return pa.length - pb.length
}

/** One comparator of a range (`^1.2`, `>=1.0.0`, `1.x`) as the bounds it stands for. */
function desugar(text: string): Comparator[] | undefined {
  const [, op = '', rest = ''] = COMPARATOR.exec(text) ?? []
  const match = PARTIAL.exec(rest)
  if (!match) return undefined
  const parts = match.slice(1, 4).map((part) => (part === undefined || !NUMERIC.test(part) ? -1 : +part))
  const given = parts.indexOf(-1)
  const known = given === -1 ? 3 : given
  const [M, m, p] = parts.map((part) => Math.max(part, 0)) as [number, number, number]
  const low: Version = [M, m, p, known === 3 && match[4] ? match[4].split('.') : []]
  if (known === 0) return op === '<' || op === '>' ? [['<', [0, 0, 0, ['0']]]] : []
  /** The first version past the given parts (`1.2` → `1.3.0`), prereleases of it excluded when `pre`. */
  const next = (count: number, pre: boolean): Version => [
    ...([M, m, p].map((part, i) => (i < count - 1 ? part : i === count - 1 ? part + 1 : 0)) as [
      number,
      number,
      number,
    ]),
    pre ? ['0'] : [],
  ]
  const from: Comparator = ['>=', low]
  switch (op) {
    case '^':
      return [from, ['<', next(M > 0 || known === 1 ? 1 : m > 0 || known === 2 ? 2 : 3, true)]]
    case '~':
      return [from, ['<', next(Math.min(known, 2), true)]]
    case '>':
      return [known === 3 ? ['>', low] : ['>=', next(known, false)]]
    case '<=':
      return [known === 3 ? ['<=', low] : ['<', next(known, true)]]
    case '>=':
    case '<':
      return [[op, low]]
    default:
      return known === 3 ? [['=', low]] : [from, ['<', next(known, true)]]
  }
}

/** A range as alternatives (`||`) of comparator sets, or `undefined` when it is not a range this reads. */
export function parseRange(range: string): Comparator[][] | undefined {
  if (typeof range !== 'string' || range.length > 256) return undefined
  const sets: Comparator[][] = []
  for (const alternative of range.split('||')) {
    const text = alternative.trim().replace(/([\^~<>=])\s+/g, '$1')
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text)
    const words = hyphen ? [`>=${hyphen[1]}`, `<=${hyphen[2]}`] : text ? text.split(/\s+/) : ['*']
    const set = words.map(desugar)
    if (set.includes(undefined)) return undefined
    sets.push((set as Comparator[][]).flat())
  }
  return sets
}

const HOLDS: Record<Operator, (order: number) => boolean> = {
  '<': (order) => order < 0,
  '<=': (order) => order <= 0,
  '>': (order) => order > 0,
  '>=': (order) => order >= 0,
  '=': (order) => order === 0,
}

/** Whether `version` satisfies `range` (parsed by {@link parseRange}). */
export function satisfies(version: string, range: Comparator[][]): boolean {
  const candidate = parseVersion(version)
  if (candidate === undefined) return false
  const [major, minor, patch, prerelease] = candidate
  return range.some(
    (set) =>
      set.every(([op, bound]) => HOLDS[op](compare(candidate, bound))) &&
      (prerelease.length === 0 ||
        set.some(([, b]) => b[3].length > 0 && b[0] === major && b[1] === minor && b[2] === patch)),
  )
}
