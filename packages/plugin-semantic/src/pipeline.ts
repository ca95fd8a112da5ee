/**
 * The resolver pipeline: stages run in order, each seeing what the previous ones concluded; a stage whose
 * best candidate is confident enough ends the run early. The final result becomes an outcome: a match,
 * or no match because nothing recognised the text or because it was judged out of scope.
 */
import type { IntentDefinition, IxpContext, ResolveAlternative, ResolveQuery } from '@ixp/core'
import { semanticError } from './errors.js'
import type { IntentLookup, ResolverStage, StageResult } from './stages/types.js'

export interface PipelineOptions {
  /**
   * Stop after a stage whose best candidate reaches this confidence (later stages are skipped).
   * @default 0.95
   */
  earlyExit?: number
  /**
   * Minimum confidence of an answer. Overrides the threshold a calibrated stage reports.
   * @default the deciding stage's threshold, else 0.5
   */
  threshold?: number
  /**
   * Alternatives returned with an outcome, when the query does not say (`query.limit`).
   * @default 3
   */
  limit?: number
  /**
   * Width of the band under the threshold, as a fraction of the threshold, where a text is not turned
   * away but called ambiguous: its best candidates come back as alternatives so a client can ask "did you
   * mean…". With threshold 0.4 and 0.1, confidences from 0.36 up are ambiguous. `0` turns it off.
   * @default 0.1
   */
  clarifyBand?: number
}

export interface PipelineDecision {
  matched: boolean
  intent: string | null
  confidence: number
  alternatives: ResolveAlternative[]
  reason?: 'no-match' | 'out-of-scope' | 'ambiguous'
  source?: string
  /** The final stage result (undefined when no stage answered). */
  result: StageResult | undefined
  /** Names of the stages that ran, in order. */
  stages: string[]
}

const FALLBACK_THRESHOLD = 0.5

function unitInterval(name: string, value: number | undefined): void {
  if (value !== undefined && !(typeof value === 'number' && value >= 0 && value <= 1))
    throw semanticError('SEMANTIC_INVALID_OPTIONS', {
      problem: `Pipeline option '${name}' must be a number between 0 and 1`,
    })
}

export class ResolverPipeline {
  readonly stages: readonly ResolverStage[]
  readonly #earlyExit: number
  readonly #threshold: number | undefined
  readonly #limit: number
  readonly #clarifyBand: number

  constructor(stages: readonly ResolverStage[], options: PipelineOptions = {}) {
    if (!Array.isArray(stages))
      throw semanticError('SEMANTIC_INVALID_OPTIONS', {
        problem: `'stages' must be an array of resolver stages`,
      })
    const names = new Set<string>()
    stages.forEach((stage, i) => {
      if (
        typeof stage !== 'object' ||
        stage === null ||
        typeof stage.resolve !== 'function' ||
        typeof stage.name !== 'string' ||
        !stage.name
      )
        throw semanticError('SEMANTIC_INVALID_OPTIONS', {
          problem: `Stage ${i} must be an object with a 'name' and a resolve(input, current) method`,
        })
      if (names.has(stage.name))
        throw semanticError('SEMANTIC_INVALID_OPTIONS', { problem: `Two stages are named '${stage.name}'` })
      names.add(stage.name)
    })
    unitInterval('earlyExit', options.earlyExit)
    unitInterval('threshold', options.threshold)
    unitInterval('clarifyBand', options.clarifyBand)
    const limit = options.limit ?? 3
    if (!Number.isInteger(limit) || limit < 0)
      throw semanticError('SEMANTIC_INVALID_OPTIONS', {
        problem: `Pipeline option 'limit' must be an integer ≥ 0`,
      })
    this.stages = [...stages]
    this.#earlyExit = options.earlyExit ?? 0.95
    this.#threshold = options.threshold
    this.#limit = limit
    this.#clarifyBand = options.clarifyBand ?? 0.1
  }

  /** Lets every stage learn from the intents (one after another, in order). */
  async prepare(intents: readonly IntentDefinition[]): Promise<void> {
    for (const stage of this.stages) await stage.prepare?.(intents)
  }

  async resolve(query: ResolveQuery, context: IxpContext, intents: IntentLookup): Promise<PipelineDecision> {
    const requested = query.limit
    const limit =
      typeof requested === 'number' && Number.isInteger(requested) && requested >= 0 ? requested : this.#limit
    // One more than the alternatives: the answer itself.
    const input = { text: query.text, query, context, intents, limit: limit + 1 }
    let current: StageResult | undefined
    const ran: string[] = []
    for (const stage of this.stages) {
      ran.push(stage.name)
      const next = await stage.resolve(input, current)
      if (next !== undefined) current = next
      const top = current?.candidates[0]
      if (top && !current!.rejected && top.confidence >= this.#earlyExit) break
    }
    return this.#decide(current, limit, ran)
  }

  async close(): Promise<void> {
    for (const stage of [...this.stages].reverse()) await stage.close?.()
  }

  #decide(result: StageResult | undefined, limit: number, stages: string[]): PipelineDecision {
    const top = result?.candidates[0]
    if (!result || !top)
      return {
        matched: false,
        intent: null,
        confidence: 0,
        alternatives: [],
        reason: 'no-match',
        result,
        stages,
      }
    const threshold = this.#threshold ?? result.threshold ?? FALLBACK_THRESHOLD
    const rounded = (value: number) => Math.round(value * 1e6) / 1e6
    const alternatives = (from: number) =>
      result.candidates
        .slice(from, from + limit)
        .map((candidate) => ({ intent: candidate.intent, confidence: rounded(candidate.confidence) }))
    if (result.rejected || top.confidence < threshold)
      return {
        matched: false,
        intent: null,
        confidence: rounded(top.confidence),
        alternatives: alternatives(0),
        // Close under the threshold (and not refused outright): worth asking which one was meant.
        reason:
          !result.rejected && top.confidence >= threshold * (1 - this.#clarifyBand)
            ? 'ambiguous'
            : 'out-of-scope',
        source: result.source,
        result,
        stages,
      }
    return {
      matched: true,
      intent: top.intent,
      confidence: rounded(top.confidence),
      alternatives: alternatives(1),
      source: result.source,
      result,
      stages,
    }
  }
}
