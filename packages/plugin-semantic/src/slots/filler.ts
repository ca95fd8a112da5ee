/**
 * Slot filling: for the intent a text resolved to, finds its entities — a sequence tagger trained on the intent's
 * annotated examples, the app's lookup tables and patterns, system entities (dates, numbers, emails, …) — and
 * turns them into the intent's parameters: each value converted to its property's type and checked against its
 * schema, an array property collecting every value ("compare TE-101 and TE-310").
 */
import type { IntentDefinition, JsonSchema } from '@ixp/core'
import { checkValue } from '../params/check.js'
import { kindOf } from '../params/schema.js'
import { parsedExamples, type EntitySpan, type ParsedExample } from './annotations.js'
import { globalPattern, type EntityDefinition } from './entities.js'
import { LookupTable } from './lookup.js'
import { placeTables } from './places.js'
import { findSystem, isSystemEntity, type SystemEntity } from './system.js'
import { SequenceTagger, type TaggerExample, type TokenHints } from './tagger.js'
import { taggedPart, tokenize, type Token } from './tokens.js'

/** An entity value found in the text. */
export interface Slot {
  /** The entity (annotation name, lookup table, pattern or system entity). */
  entity: string
  /** The parameter it filled, when one did. */
  parameter?: string
  /** The value (canonical for a synonym; typed for system entities and non-string parameters). */
  value: unknown
  /** The text as typed, and where it is (UTF-16 offsets). */
  text: string
  start: number
  end: number
  /** 1 for lookup, pattern and system matches; the tagger's own estimate for the tagger's. */
  confidence: number
  source: 'tagger' | 'lookup' | 'pattern' | 'system'
}

export interface FilledSlots {
  parameters: Record<string, unknown>
  slots: Slot[]
}

/** Formats that bring a system entity to a string property without naming it. */
const FORMAT_ENTITIES: Record<string, SystemEntity> = {
  email: 'email',
  uri: 'url',
  url: 'url',
  date: 'date',
  'date-time': 'datetime',
  time: 'time',
}

interface ParameterPlan {
  name: string
  entity: string
  schema: JsonSchema
  /** The schema values are checked against (an array's items). */
  itemSchema: JsonSchema
  many: boolean
}

interface IntentPlan {
  parameters: ParameterPlan[]
  /** Entities looked for (annotated, or named by a parameter). */
  entities: Set<string>
  tagger: SequenceTagger | undefined
  lookups: Map<string, LookupTable>
  /** Patterns of array items (`skus: string[]` of `^[A-Z]{2}-\\d{3}$`), by entity: every match is a value. */
  itemPatterns: Map<string, RegExp>
  /** Values annotated in the examples, by entity: tagger hints only (a value seen once is never trusted alone). */
  known: Map<string, LookupTable>
  /** How many examples annotate each `entity\u0000value` (leave-one-out hints at training). */
  knownCounts: Map<string, number>
}

/** System entities every tagger sees as hints (a date or a number often is some entity's value). */
const HINT_SYSTEMS = ['datetime', 'number', 'ordinal'] as const

function entityOf(name: string, schema: JsonSchema): string {
  // An array's entity may be declared on the array or on its items.
  const items =
    schema.type === 'array' && typeof schema.items === 'object' ? (schema.items as JsonSchema) : undefined
  const declared = schema['x-entity'] ?? items?.['x-entity']
  if (typeof declared === 'string' && declared) return declared
  const format = (items ?? schema).format
  if (typeof format === 'string' && FORMAT_ENTITIES[format]) return FORMAT_ENTITIES[format]
  return name
}

function hintsOf(
  tokens: readonly Token[],
  spans: readonly { from: number; to: number; entity: string }[],
): TokenHints {
  const hints: TokenHints = tokens.map(() => [])
  for (const span of spans)
    for (let t = span.from; t < span.to; t++) hints[t]!.push(`${span.entity}:${t === span.from ? 'B' : 'I'}`)
  return hints
}

/** Token range covering a character span (tokens that overlap it). */
function tokenRange(
  tokens: readonly Token[],
  start: number,
  end: number,
): { from: number; to: number } | undefined {
  let from = -1
  let to = -1
  for (let t = 0; t < tokens.length; t++)
    if (tokens[t]!.start < end && tokens[t]!.end > start) {
      if (from < 0) from = t
      to = t + 1
    }
  return from < 0 ? undefined : { from, to }
}

export class SlotFiller {
  readonly #definitions: Record<string, EntityDefinition>
  readonly #patterns = new Map<string, RegExp>()
  #plans = new Map<string, IntentPlan>()

  constructor(entities: Record<string, EntityDefinition> = {}) {
    this.#definitions = entities
    for (const [name, definition] of Object.entries(entities))
      if (definition.pattern !== undefined) this.#patterns.set(name, globalPattern(definition.pattern))
  }

  /** Learns every intent's entities: trains its tagger, builds its lookup tables. */
  prepare(intents: readonly IntentDefinition[]): void {
    const plans = new Map<string, IntentPlan>()
    const annotated = new Map(
      intents.map((intent) => [
        intent.name,
        parsedExamples(intent).filter((example) => example.entities.length > 0),
      ]),
    )
    for (const intent of intents) {
      const others = intents
        .filter((other) => other.name !== intent.name)
        .flatMap((other) => annotated.get(other.name)!)
      plans.set(intent.name, this.#plan(intent, annotated.get(intent.name)!, others))
    }
    this.#plans = plans
  }

  /** Entities of `intent` in `text` (its first `MAX_TAGGED_CHARS`), and the parameters they fill. */
  fill(intent: string, input: string, reference: Date = new Date()): FilledSlots {
    const plan = this.#plans.get(intent)
    const none: FilledSlots = { parameters: {}, slots: [] }
    if (!plan || plan.entities.size === 0 || typeof input !== 'string' || !input) return none
    const text = taggedPart(input)
    const tokens = tokenize(text)
    const { found, hints } = this.#recognise(plan, text, tokens, reference)
    const slots: Slot[] = [...found]
    for (const span of plan.tagger?.tag(tokens, hints) ?? []) {
      const start = tokens[span.from]!.start
      const end = tokens[span.to - 1]!.end
      // A recogniser's exact match of the same entity wins over the tagger's reading of it.
      if (found.some((slot) => slot.start < end && slot.end > start && slot.entity === span.entity)) continue
      const raw = text.slice(start, end)
      const canonical = plan.lookups.get(span.entity)?.find(tokenize(raw))
      const whole =
        canonical?.length === 1 && canonical[0]!.from === 0 && canonical[0]!.to === tokenize(raw).length
      slots.push({
        entity: span.entity,
        value: whole ? canonical[0]!.value : raw,
        text: raw,
        start,
        end,
        confidence: Math.round(span.confidence * 1e4) / 1e4,
        source: 'tagger',
      })
    }
    slots.sort((a, b) => a.start - b.start || b.end - a.end)
    return { parameters: this.#parameters(plan, slots), slots }
  }

  #plan(intent: IntentDefinition, examples: ParsedExample[], others: readonly ParsedExample[]): IntentPlan {
    const schema = (intent.parameters ?? {}) as JsonSchema
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>
    const parameters: ParameterPlan[] = Object.entries(properties)
      .filter(([, property]) => typeof property === 'object' && property !== null)
      .map(([name, property]) => {
        const many = property.type === 'array'
        const itemSchema =
          many && typeof property.items === 'object' ? (property.items as JsonSchema) : property
        return { name, entity: entityOf(name, property), schema: property, itemSchema, many }
      })
    const entities = new Set<string>()
    for (const example of examples) for (const span of example.entities) entities.add(span.entity)
    // Other intents' sentences that annotate this intent's entities teach them too (a city is a city in a
    // weather question and in a booking); their other entities are not this tagger's to find.
    const shared: ParsedExample[] = []
    for (const other of others) {
      const kept = other.entities.filter((span) => entities.has(span.entity))
      if (kept.length > 0) shared.push({ text: other.text, entities: kept })
    }
    for (const parameter of parameters)
      if (
        isSystemEntity(parameter.entity) ||
        parameter.entity in this.#definitions ||
        entities.has(parameter.entity)
      )
        entities.add(parameter.entity)
    const lookups = new Map<string, LookupTable>()
    for (const entity of entities) {
      const table = new LookupTable(this.#definitions[entity]?.lookup ?? [])
      // Synonyms annotated in examples: `[NYC](city:New York)`.
      for (const example of examples)
        for (const span of example.entities)
          if (span.entity === entity && typeof span.value === 'string')
            table.add(example.text.slice(span.start, span.end), span.value)
      if (table.size > 0) lookups.set(entity, table)
    }
    const known = new Map<string, LookupTable>()
    const knownCounts = new Map<string, number>()
    for (const example of examples)
      for (const span of example.entities) {
        const phrase = example.text.slice(span.start, span.end)
        let table = known.get(span.entity)
        if (!table) known.set(span.entity, (table = new LookupTable()))
        table.add(phrase, phrase.toLowerCase())
        const key = `${span.entity}\u0000${phrase.toLowerCase()}`
        knownCounts.set(key, (knownCounts.get(key) ?? 0) + 1)
      }
    const itemPatterns = new Map<string, RegExp>()
    for (const parameter of parameters) {
      const pattern = parameter.itemSchema.pattern
      if (!parameter.many || typeof pattern !== 'string' || this.#patterns.has(parameter.entity)) continue
      const found = unanchored(pattern)
      if (!found) continue
      itemPatterns.set(parameter.entity, found)
      entities.add(parameter.entity)
    }
    const plan: IntentPlan = {
      parameters,
      entities,
      tagger: undefined,
      lookups,
      itemPatterns,
      known,
      knownCounts,
    }
    if (examples.length > 0) {
      const training: TaggerExample[] = [...examples, ...shared].map((example) =>
        this.#taggerExample(plan, example.text, example.entities),
      )
      plan.tagger = SequenceTagger.train(training)
    }
    return plan
  }

  #taggerExample(plan: IntentPlan, text: string, entities: readonly EntitySpan[]): TaggerExample {
    const tokens = tokenize(text)
    const tags = tokens.map(() => 'O')
    for (const entity of entities) {
      const range = tokenRange(tokens, entity.start, entity.end)
      if (!range) continue
      for (let t = range.from; t < range.to; t++) tags[t] = `${t === range.from ? 'B' : 'I'}-${entity.entity}`
    }
    // A fixed reference date: training must not depend on the day it runs.
    const own = new Set(
      entities.map((span) => `${span.entity}\u0000${text.slice(span.start, span.end).toLowerCase()}`),
    )
    const { hints } = this.#recognise(plan, text, tokens, new Date(Date.UTC(2024, 0, 1)), (key) =>
      own.has(key) ? (plan.knownCounts.get(key) ?? 0) > 1 : true,
    )
    return { tokens, hints, tags }
  }

  /** Exact matches of lookup tables, patterns and system entities, and the tagger hints they give. */
  #recognise(
    plan: IntentPlan,
    text: string,
    tokens: readonly Token[],
    reference: Date,
    trustKnown: (key: string) => boolean = () => true,
  ): { found: Slot[]; hints: TokenHints } {
    const found: Slot[] = []
    const ranges: { from: number; to: number; entity: string }[] = []
    const add = (entity: string, start: number, end: number, value: unknown, source: Slot['source']) => {
      const range = tokenRange(tokens, start, end)
      if (!range) return
      ranges.push({ ...range, entity })
      if (found.some((slot) => slot.start < end && slot.end > start && slot.entity === entity)) return
      found.push({ entity, value, text: text.slice(start, end), start, end, confidence: 1, source })
    }
    for (const entity of plan.entities) {
      const pattern = this.#patterns.get(entity) ?? plan.itemPatterns.get(entity)
      if (pattern)
        for (const match of text.matchAll(pattern))
          if (match[0]) add(entity, match.index!, match.index! + match[0].length, match[0], 'pattern')
      for (const match of plan.lookups.get(entity)?.find(tokens) ?? [])
        add(entity, tokens[match.from]!.start, tokens[match.to - 1]!.end, match.value, 'lookup')
      if (isSystemEntity(entity))
        for (const match of findSystem(entity, text, reference))
          add(entity, match.start, match.end, match.value, 'system')
    }
    if (plan.tagger || plan.known.size > 0) {
      for (const [entity, table] of plan.known)
        for (const match of table.find(tokens))
          if (trustKnown(`${entity}\u0000${match.value}`))
            ranges.push({ from: match.from, to: match.to, entity: `known:${entity}` })
      for (const [hint, table] of placeTables())
        for (const match of table.find(tokens)) ranges.push({ from: match.from, to: match.to, entity: hint })
      for (const system of HINT_SYSTEMS)
        if (!plan.entities.has(system))
          for (const match of findSystem(system, text, reference)) {
            const range = tokenRange(tokens, match.start, match.end)
            if (range) ranges.push({ ...range, entity: `system:${system}` })
          }
    }
    return { found, hints: hintsOf(tokens, ranges) }
  }

  #parameters(plan: IntentPlan, slots: Slot[]): Record<string, unknown> {
    const parameters: Record<string, unknown> = {}
    const used = new Set<Slot>()
    for (const parameter of plan.parameters) {
      const candidates = slots.filter((slot) => slot.entity === parameter.entity && !used.has(slot))
      const values: { slot: Slot; value: unknown }[] = []
      for (const slot of candidates) {
        const value = convert(slot, parameter.itemSchema)
        if (value !== undefined && checkValue(parameter.itemSchema, value)) values.push({ slot, value })
      }
      if (values.length === 0) continue
      if (parameter.many) {
        const list = values.map((entry) => entry.value)
        if (!checkValue(parameter.schema, list)) continue
        parameters[parameter.name] = list
        for (const entry of values) {
          used.add(entry.slot)
          entry.slot.parameter = parameter.name
        }
      } else {
        const best = values.reduce((a, b) => (b.slot.confidence > a.slot.confidence ? b : a))
        parameters[parameter.name] = best.value
        used.add(best.slot)
        best.slot.parameter = parameter.name
        best.slot.value = best.value
      }
    }
    return parameters
  }
}

/** A schema pattern (`^…$`) made to find its values inside a text, between word boundaries. */
function unanchored(pattern: string): RegExp | undefined {
  const source = pattern.replace(/^\^/, '').replace(/(?<!\\)\$$/, '')
  try {
    return new RegExp(`(?<![\\p{L}\\p{N}])(?:${source})(?![\\p{L}\\p{N}])`, 'gu')
  } catch {
    return undefined
  }
}

/** A slot's value as its property wants it, or undefined when it cannot be one. */
function convert(slot: Slot, schema: JsonSchema): unknown {
  const kind = kindOf(schema)
  const value = slot.value
  if (kind.kind === 'enum') {
    const wanted = String(value)
      .toLowerCase()
      .replace(/[\s_-]+/g, ' ')
    return kind.values.find(
      (option) =>
        String(option)
          .toLowerCase()
          .replace(/[\s_-]+/g, ' ') === wanted,
    )
  }
  if (kind.kind === 'number') {
    if (typeof value === 'number') return value
    if (typeof value === 'object' && value !== null && 'amount' in value)
      return (value as { amount: number }).amount
    const number = findSystem('number', String(value))[0]?.value
    return typeof number === 'number' ? number : undefined
  }
  if (kind.kind === 'string') return typeof value === 'string' ? value : slot.text
  return value
}
