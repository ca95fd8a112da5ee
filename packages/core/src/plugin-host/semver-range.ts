/**
 * Whether a version satisfies an npm-style semver range — the subset plugins use to declare the `@ixp/core`
 * they support: `1.2.3`, `=1.2.3`, `^0.1.0`, `~1.2`, `>=1.0.0 <2.0.0`, `1.x`, `*`, `1.0.0 - 1.4`, and `||`
 * between alternatives. Our own ~80 lines rather than the `semver` package (~60 KB, several modules) because
 * the core's root entry must stay within its 12 KB budget and runs on edge runtimes.
 *
 * As npm: a version with a prerelease tag (`1.0.0-rc.1`) satisfies a range only if one of its comparators
 * names the same major.minor.patch with a prerelease.
 */

type Version = [major: number, minor: number, patch: number, prerelease: string[]]
type Operator = '<' | '<=' | '>' | '>=' | '='
interface Comparator {
  op: Operator
  version: Version
}

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/
const PARTIAL =
  /^v?(\d+|[xX*])(?:\.(\d+|[xX*])(?:\.(\d+|[xX*])(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?)?)?$/
const COMPARATOR = /^(\^|~|>=|<=|>|<|=)?\s*(\S+)$/

/** Parses a full version (`1.2.3`, `1.2.3-rc.1`), or `undefined`. */
export function parseVersion(text: string): Version | undefined {
  const match = VERSION.exec(text.trim())
  return match ? [+match[1]!, +match[2]!, +match[3]!, match[4]?.split('.') ?? []] : undefined
}

function compareIdentifiers(a: string, b: string): number {
  const numeric = /^\d+$/
  if (numeric.test(a) && numeric.test(b)) return +a - +b
  if (numeric.test(a) !== numeric.test(b)) return numeric.test(a) ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

/** Semver precedence: negative when `a` comes first. */
function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  const [pa, pb] = [a[3], b[3]]
  if (pa.length === 0 || pb.length === 0) return pb.length - pa.length
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const order = compareIdentifiers(pa[i]!, pb[i]!)
    if (order !== 0) return order
  }
  return pa.length - pb.length
}

/** One comparator of a range (`^1.2`, `>=1.0.0`, `1.x`) as the bounds it stands for. */
function desugar(text: string): Comparator[] | undefined {
  const [, op = '', rest = ''] = COMPARATOR.exec(text) ?? []
  const match = PARTIAL.exec(rest)
  if (!match) return undefined
  const parts = [match[1], match[2], match[3]].map((part) =>
    part === undefined || /[xX*]/.test(part) ? undefined : +part,
  )
  const given = parts.findIndex((part) => part === undefined)
  const known = given === -1 ? 3 : given
  const [M = 0, m = 0, p = 0] = parts
  const low: Version = [M, m, p, known === 3 && match[4] ? match[4].split('.') : []]
  if (known === 0) return op === '<' || op === '>' ? [{ op: '<', version: [0, 0, 0, ['0']] }] : []
  /** The first version past the given parts (`1.2` → `1.3.0`). */
  const next = (count: number): Version =>
    count === 1 ? [M + 1, 0, 0, []] : count === 2 ? [M, m + 1, 0, []] : [M, m, p + 1, []]
  /** Below the first version past the given parts, prereleases of it excluded (`<1.3.0-0`). */
  const below = (count: number): Comparator => {
    const [major, minor, patch] = next(count)
    return { op: '<', version: [major, minor, patch, ['0']] }
  }
  switch (op) {
    case '^': {
      const significant = M > 0 || known === 1 ? 1 : m > 0 || known === 2 ? 2 : 3
      return [{ op: '>=', version: low }, below(significant)]
    }
    case '~':
      return [{ op: '>=', version: low }, below(Math.min(known, 2))]
    case '>':
      return known === 3 ? [{ op: '>', version: low }] : [{ op: '>=', version: next(known) }]
    case '<=':
      return known === 3 ? [{ op: '<=', version: low }] : [below(known)]
    case '>=':
    case '<':
      return [{ op, version: low }]
    default:
      return known === 3 ? [{ op: '=', version: low }] : [{ op: '>=', version: low }, below(known)]
  }
}

/** A range as alternatives (`||`) of comparator sets, or `undefined` when it is not a range this reads. */
export function parseRange(range: string): Comparator[][] | undefined {
  if (typeof range !== 'string' || range.length > 256) return undefined
  const sets: Comparator[][] = []
  for (const alternative of range.split('||')) {
    const text = alternative.trim().replace(/(\^|~|>=|<=|>|<|=)\s+/g, '$1')
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text)
    const words = hyphen ? [`>=${hyphen[1]}`, `<=${hyphen[2]}`] : text === '' ? ['*'] : text.split(/\s+/)
    const set: Comparator[] = []
    for (const word of words) {
      const comparators = desugar(word)
      if (comparators === undefined) return undefined
      set.push(...comparators)
    }
    sets.push(set)
  }
  return sets
}

function holds({ op, version }: Comparator, candidate: Version): boolean {
  const order = compare(candidate, version)
  return op === '<'
    ? order < 0
    : op === '<='
      ? order <= 0
      : op === '>'
        ? order > 0
        : op === '>='
          ? order >= 0
          : order === 0
}

/** Whether `version` satisfies `range` (parsed by {@link parseRange}). */
export function satisfies(version: string, range: Comparator[][]): boolean {
  const candidate = parseVersion(version)
  if (candidate === undefined) return false
  return range.some(
    (set) =>
      set.every((comparator) => holds(comparator, candidate)) &&
      (candidate[3].length === 0 ||
        set.some(
          ({ version: bound }) =>
            bound[3].length > 0 &&
            bound[0] === candidate[0] &&
            bound[1] === candidate[1] &&
            bound[2] === candidate[2],
        )),
  )
}
