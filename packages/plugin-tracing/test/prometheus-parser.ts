/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests. The npm parsers are lenient
 * or unmaintained; this one rejects what Prometheus' own parser rejects and checks the rules a scraper
 * relies on: one HELP and TYPE per family before its samples, contiguous families, no duplicate series,
 * valid names and escapes, histogram buckets with `le`, cumulative, ending in `+Inf` equal to `_count`.
 */

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

export interface Family {
  name: string
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped'
  help: string | undefined
  samples: Sample[]
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/
const FLOAT = /^(?:[+-]?Inf|NaN|[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$/
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped'])

function fail(line: number, message: string): never {
  throw new Error(`line ${line}: ${message}`)
}

function parseFloatStrict(text: string, line: number): number {
  if (!FLOAT.test(text)) fail(line, `invalid value '${text}'`)
  if (text === '+Inf' || text === 'Inf') return Infinity
  if (text === '-Inf') return -Infinity
  if (text === 'NaN') return NaN
  return Number(text)
}

function unescapeHelp(text: string, line: number): string {
  return text.replace(/\\(.?)/g, (_, char: string) => {
    if (char === '\\') return '\\'
    if (char === 'n') return '\n'
    return fail(line, `invalid escape '\\${char}' in HELP`)
  })
}

/** The family a sample name belongs to, given the declared histogram/summary families. */
function familyOf(sample: string, families: Map<string, Family>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (sample.endsWith(suffix)) {
      const base = sample.slice(0, -suffix.length)
      const family = families.get(base)
      if (family && (family.type === 'histogram' || (family.type === 'summary' && suffix !== '_bucket')))
        return base
    }
  }
  return sample
}

function parseLabels(text: string, line: number): [Record<string, string>, string] {
  const labels: Record<string, string> = {}
  let rest = text.slice(1)
  for (;;) {
    if (rest.startsWith('}')) return [labels, rest.slice(1)]
    const name = LABEL_NAME.exec(rest)?.[0]
    if (!name) fail(line, `invalid label name at '${rest.slice(0, 20)}'`)
    if (name in labels) fail(line, `duplicate label '${name}'`)
    rest = rest.slice(name.length)
    if (!rest.startsWith('="')) fail(line, `expected =" after label '${name}'`)
    rest = rest.slice(2)
    let value = ''
    for (;;) {
      const char = rest[0]
      if (char === undefined) fail(line, 'unterminated label value')
      if (char === '"') break
      if (char === '\\') {
        const next = rest[1]
        if (next === '\\') value += '\\'
        else if (next === '"') value += '"'
        else if (next === 'n') value += '\n'
        else fail(line, `invalid escape '\\${next ?? ''}' in label value`)
        rest = rest.slice(2)
        continue
      }
      if (char === '\n') fail(line, 'raw line feed in label value')
      value += char
      rest = rest.slice(1)
    }
    labels[name] = value
    rest = rest.slice(1)
    if (rest.startsWith(',')) rest = rest.slice(1)
    else if (!rest.startsWith('}')) fail(line, `expected , or } after label '${name}'`)
  }
}

export function parsePrometheus(text: string): Map<string, Family> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('the exposition must end with a line feed')
  const families = new Map<string, Family>()
  const closed = new Set<string>()
  const seen = new Set<string>()
  let current: string | undefined
  const open = (name: string, line: number): Family => {
    if (current !== name) {
      if (closed.has(name)) fail(line, `family '${name}' is not contiguous`)
      if (current !== undefined) closed.add(current)
      current = name
    }
    let family = families.get(name)
    if (!family) {
      family = { name, type: 'untyped', help: undefined, samples: [] }
      families.set(name, family)
    }
    return family
  }
  const lines = text.split('\n').slice(0, -1)
  lines.forEach((raw, index) => {
    const line = index + 1
    if (raw.trim() === '') return
    if (raw.startsWith('#')) {
      const match = /^# (HELP|TYPE) ([^ ]+)(?: (.*))?$/.exec(raw)
      if (!match) return
      const [, keyword, name, rest] = match as unknown as [string, string, string, string | undefined]
      if (!METRIC_NAME.test(name) || METRIC_NAME.exec(name)![0] !== name)
        fail(line, `invalid metric name '${name}'`)
      const family = open(name, line)
      if (keyword === 'HELP') {
        if (family.help !== undefined) fail(line, `second HELP for '${name}'`)
        family.help = unescapeHelp(rest ?? '', line)
      } else {
        if (family.samples.length > 0) fail(line, `TYPE of '${name}' after its samples`)
        if (seen.has(`type:${name}`)) fail(line, `second TYPE for '${name}'`)
        seen.add(`type:${name}`)
        if (!TYPES.has(rest ?? '')) fail(line, `unknown type '${rest}'`)
        family.type = rest as Family['type']
      }
      return
    }
    const name = METRIC_NAME.exec(raw)?.[0]
    if (!name) fail(line, `invalid sample line '${raw}'`)
    let rest = raw.slice(name.length)
    let labels: Record<string, string> = {}
    if (rest.startsWith('{')) [labels, rest] = parseLabels(rest, line)
    if (!rest.startsWith(' ')) fail(line, 'expected a space before the value')
    const fields = rest.trim().split(/ +/)
    if (fields.length < 1 || fields.length > 2) fail(line, `expected a value and an optional timestamp`)
    if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) fail(line, `invalid timestamp '${fields[1]}'`)
    const value = parseFloatStrict(fields[0]!, line)
    const family = open(familyOf(name, families), line)
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`
    if (seen.has(key)) fail(line, `duplicate series ${key}`)
    seen.add(key)
    family.samples.push({ name, labels, value })
  })
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family)
  return families
}

function checkHistogram(family: Family): void {
  const groups = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>()
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels
    const key = JSON.stringify(Object.entries(rest).sort())
    const group = groups.get(key) ?? { buckets: [] }
    groups.set(key, group)
    if (sample.name === `${family.name}_bucket`) {
      if (le === undefined) throw new Error(`${family.name}: bucket without le`)
      group.buckets.push([parseFloatStrict(le, 0), sample.value])
    } else if (sample.name === `${family.name}_count`) group.count = sample.value
    else if (sample.name === `${family.name}_sum`) group.sum = sample.value
    else throw new Error(`${family.name}: unexpected sample ${sample.name} in a histogram`)
  }
  for (const [key, group] of groups) {
    const buckets = group.buckets
    if (buckets.length === 0 || buckets[buckets.length - 1]![0] !== Infinity) {
      throw new Error(`${family.name}${key}: no +Inf bucket last`)
    }
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i]![0] > buckets[i - 1]![0])) throw new Error(`${family.name}${key}: le not increasing`)
      if (buckets[i]![1] < buckets[i - 1]![1]) throw new Error(`${family.name}${key}: buckets not cumulative`)
    }
    if (group.count !== buckets[buckets.length - 1]![1])
      throw new Error(`${family.name}${key}: _count ≠ +Inf bucket`)
    if (group.sum === undefined) throw new Error(`${family.name}${key}: no _sum`)
  }
}
