/**
 * Parameter mappings: JSON in which strings starting with `$` read from the workflow input, the results of
 * earlier steps or the workflow's `context` parameter. Parsed once when a workflow is defined (so references can
 * be checked before anything runs), resolved on every run.
 *
 * Grammar: `$input` | `$input.<path>` | `$context` | `$context.<path>` | `$results` | `$results.<step>` |
 * `$results.<step>.<path>`, where `<path>` is dot-separated keys (array indexes are digits). `$$…` is the
 * literal string `$…`.
 */
import { isForbiddenKey } from '@ixp/core'
import type { StepResults } from './types.js'
import { isPlainObject } from '@ixp/core/plugin-kit'

export type ReferenceRoot = 'input' | 'results' | 'context'

export interface Reference {
  root: ReferenceRoot
  /** Keys after the root; for `results` the first one is a step id. */
  path: readonly string[]
}

/** A reference found in a mapping, with where it sits (`params.total`, `params.items.0`). */
export interface LocatedReference {
  at: string
  text: string
  reference: Reference
}

/** A mapping prepared for resolution: literals, references and containers of them. */
export type CompiledMapping =
  | { kind: 'literal'; value: unknown }
  | { kind: 'reference'; reference: Reference }
  | { kind: 'object'; entries: readonly (readonly [string, CompiledMapping])[] }
  | { kind: 'array'; items: readonly CompiledMapping[] }

export interface MappingProblem {
  at: string
  message: string
}

const ROOTS: readonly ReferenceRoot[] = ['input', 'results', 'context']
const MAX_DEPTH = 32

/** Parses one `$…` string; returns a problem message when it is malformed. */
export function parseReference(text: string): Reference | string {
  const [head, ...path] = text.slice(1).split('.')
  if (!ROOTS.includes(head as ReferenceRoot)) {
    return `'${text}' is not a reference: start with $input, $results.<step> or $context (write $$ for a literal $)`
  }
  for (const key of path) {
    if (key === '') return `'${text}' has an empty key (two dots, or a dot at the end)`
    if (isForbiddenKey(key)) return `'${text}' reads '${key}', which is not allowed`
  }
  return { root: head as ReferenceRoot, path }
}

/**
 * Compiles a mapping, collecting its references and every problem (each located under `at`). Values must be
 * JSON: functions, class instances and cycles are reported.
 */
export function compileMapping(
  mapping: unknown,
  at: string,
): { compiled: CompiledMapping; references: LocatedReference[]; problems: MappingProblem[] } {
  const references: LocatedReference[] = []
  const problems: MappingProblem[] = []
  const open = new Set<object>()

  const walk = (value: unknown, where: string, depth: number): CompiledMapping => {
    if (depth > MAX_DEPTH) {
      problems.push({ at: where, message: `is nested deeper than ${MAX_DEPTH} levels` })
      return { kind: 'literal', value: undefined }
    }
    if (typeof value === 'string') {
      if (value.startsWith('$$')) return { kind: 'literal', value: value.slice(1) }
      if (!value.startsWith('$')) return { kind: 'literal', value }
      const parsed = parseReference(value)
      if (typeof parsed === 'string') {
        problems.push({ at: where, message: parsed })
        return { kind: 'literal', value: undefined }
      }
      references.push({ at: where, text: value, reference: parsed })
      return { kind: 'reference', reference: parsed }
    }
    if (value === null || typeof value === 'boolean') return { kind: 'literal', value }
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) problems.push({ at: where, message: 'must be a finite number' })
      return { kind: 'literal', value }
    }
    if (Array.isArray(value) || isPlainObject(value)) {
      if (open.has(value)) {
        problems.push({ at: where, message: 'contains itself' })
        return { kind: 'literal', value: undefined }
      }
      open.add(value)
      try {
        if (Array.isArray(value)) {
          return {
            kind: 'array',
            items: value.map((item, index) => walk(item, `${where}.${index}`, depth + 1)),
          }
        }
        const entries: (readonly [string, CompiledMapping])[] = []
        for (const key of Object.keys(value)) {
          if (isForbiddenKey(key)) {
            problems.push({ at: `${where}.${key}`, message: 'is not an allowed key' })
            continue
          }
          entries.push([key, walk(value[key], `${where}.${key}`, depth + 1)])
        }
        return { kind: 'object', entries }
      } finally {
        open.delete(value)
      }
    }
    problems.push({
      at: where,
      message: `must be JSON (a literal, an object, an array or a $reference); got ${typeof value === 'function' ? 'a function' : typeof value}`,
    })
    return { kind: 'literal', value: undefined }
  }

  const compiled = walk(mapping, at, 0)
  return { compiled, references, problems }
}

/** What references read from. */
export interface MappingSources {
  input: unknown
  results: StepResults
  context: Record<string, unknown>
}

/** Reads a key path; missing keys, and keys of anything but plain objects and arrays, read as `undefined`. */
export function readPath(value: unknown, path: readonly string[]): unknown {
  let current = value
  for (const key of path) {
    if (Array.isArray(current)) {
      current = /^\d+$/.test(key) ? current[Number(key)] : undefined
    } else if (typeof current === 'object' && current !== null && Object.hasOwn(current, key)) {
      current = (current as Record<string, unknown>)[key]
    } else {
      return undefined
    }
    if (current === undefined) return undefined
  }
  return current
}

function readReference(reference: Reference, sources: MappingSources): unknown {
  switch (reference.root) {
    case 'input':
      return readPath(sources.input, reference.path)
    case 'context':
      return readPath(sources.context, reference.path)
    case 'results': {
      const [step, ...rest] = reference.path
      if (step === undefined) return Object.fromEntries(sources.results)
      return sources.results.has(step) ? readPath(sources.results.get(step), rest) : undefined
    }
  }
}

/** Resolves a compiled mapping; object keys whose value resolves to `undefined` are left out. */
export function resolveMapping(mapping: CompiledMapping, sources: MappingSources): unknown {
  switch (mapping.kind) {
    case 'literal':
      return mapping.value
    case 'reference':
      return readReference(mapping.reference, sources)
    case 'array':
      return mapping.items.map((item) => resolveMapping(item, sources))
    case 'object': {
      const out: Record<string, unknown> = {}
      for (const [key, value] of mapping.entries) {
        const resolved = resolveMapping(value, sources)
        if (resolved !== undefined) out[key] = resolved
      }
      return out
    }
  }
}
