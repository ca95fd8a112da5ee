/**
 * Names in a sentence — titles, artists, playlists, places — are words the intent classifier should not read
 * as evidence: "Play The Last Mile album" is a search for a creative work, and "There Must Be More To Life
 * Than This" is a song, not a weather question. The name masker learns from annotated examples which entities
 * are names (their values hardly ever repeat, unlike closed sets such as `album`, `game`, `five stars`), trains
 * a sequence tagger that finds such spans in any sentence whatever its intent, and replaces each by one
 * placeholder word. A classifier trained on masked sentences then sees "play NAME album".
 */
import type { EntitySpan, ParsedExample } from './annotations.js'
import { SequenceTagger, type TaggerExample } from './tagger.js'
import { taggedPart, tokenize } from './tokens.js'

export interface NameMaskerOptions {
  /**
   * An entity is a name when its distinct values are at least this share of its annotations
   * (`object_name` 1.0, `playlist` 0.9; `object_type` 0.2, `rating_value` 0.2).
   * @default 0.8
   */
  distinctShare?: number
  /**
   * Annotated names needed to train the tagger (fewer: no masker).
   * @default 20
   */
  minNames?: number
}

/** The word a name becomes: not an English word, so the classifier learns it only from masked sentences. */
export const NAME_PLACEHOLDER = 'qxname'

export class NameMasker {
  /** The entities treated as names, sorted. */
  readonly entities: readonly string[]
  readonly #tagger: SequenceTagger

  private constructor(entities: string[], tagger: SequenceTagger) {
    this.entities = entities
    this.#tagger = tagger
  }

  /** Learns names from annotated examples; `undefined` when they annotate too few names to learn from. */
  static train(examples: readonly ParsedExample[], options: NameMaskerOptions = {}): NameMasker | undefined {
    const share = options.distinctShare ?? 0.8
    const minNames = options.minNames ?? 20
    const count = new Map<string, number>()
    const values = new Map<string, Set<string>>()
    for (const example of examples)
      for (const span of example.entities) {
        count.set(span.entity, (count.get(span.entity) ?? 0) + 1)
        let seen = values.get(span.entity)
        if (!seen) values.set(span.entity, (seen = new Set()))
        seen.add(example.text.slice(span.start, span.end).toLowerCase())
      }
    const names = new Set(
      [...count.keys()].filter((entity) => values.get(entity)!.size >= share * count.get(entity)!),
    )
    let total = 0
    for (const entity of names) total += count.get(entity)!
    if (total < minNames) return undefined
    const training: TaggerExample[] = examples.map((example) => {
      const tokens = tokenize(example.text)
      const tags = tokens.map(() => 'O')
      for (const span of example.entities) {
        if (!names.has(span.entity)) continue
        let first = true
        for (let t = 0; t < tokens.length; t++)
          if (tokens[t]!.start < span.end && tokens[t]!.end > span.start) {
            tags[t] = first ? 'B-name' : 'I-name'
            first = false
          }
      }
      return { tokens, tags }
    })
    return new NameMasker([...names].sort(), SequenceTagger.train(training))
  }

  /** The annotated name spans of an example, masked (how a classifier learns from it). */
  maskAnnotated(text: string, entities: readonly EntitySpan[]): string {
    const spans = entities.filter((span) => this.entities.includes(span.entity))
    return replaceSpans(text, spans)
  }

  /**
   * The names the tagger finds in a text, masked; the text itself when it finds none. Only the first
   * `MAX_TAGGED_CHARS` (1,000) are read (the classifier reads no more).
   */
  mask(input: string): string {
    const text = taggedPart(input)
    const tokens = tokenize(text)
    const found = this.#tagger.tag(tokens)
    if (found.length === 0) return text
    return replaceSpans(
      text,
      found.map((span) => ({ start: tokens[span.from]!.start, end: tokens[span.to - 1]!.end })),
    )
  }
}

function replaceSpans(text: string, spans: readonly { start: number; end: number }[]): string {
  let masked = ''
  let at = 0
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    if (span.start < at) continue
    masked += text.slice(at, span.start) + NAME_PLACEHOLDER
    at = span.end
  }
  return masked + text.slice(at)
}
