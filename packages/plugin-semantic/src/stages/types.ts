/**
 * The resolver stage contract. A stage is a small object: it may learn from the registered intents
 * (`prepare`), and it looks at a query and at what earlier stages concluded (`resolve`). Stages run in
 * order; a stage returns a new result to replace the current one, or `undefined` to leave it.
 */
import type { IntentDefinition, IxpContext, ResolveQuery } from '@ixp/core'

export interface StageCandidate {
  intent: string
  /** 0–1. */
  confidence: number
}

export interface StageResult {
  /** Candidates, most confident first. */
  candidates: StageCandidate[]
  /** Confidence under which the best candidate is not an answer (a calibrated stage sets it). */
  threshold?: number
  /** The text is out of scope whatever later stages do to the confidences. */
  rejected?: boolean
  /** The stage that produced the result; it becomes the outcome's `source`. */
  source: string
  /** Facts for debugging and for later stages (`contextBoost`, `similarity`, …). */
  details?: Record<string, unknown>
}

/** Read access to intents by name: a `Map`, or the engine's `engine.intents`. */
export interface IntentLookup {
  get(name: string): IntentDefinition | undefined
  has(name: string): boolean
}

export interface StageInput {
  /** The text to resolve. */
  text: string
  query: ResolveQuery
  context: IxpContext
  /** The intents an answer may name (the engine's registry, or any map). */
  intents: IntentLookup
  /** How many candidates are wanted (the answer and its alternatives). */
  limit: number
}

export interface ResolverStage {
  /** Short name, reported as the outcome's `source` when this stage decides. */
  readonly name: string
  /** Learns from the registered intents: at `ready()` and after the registry changes. */
  prepare?(intents: readonly IntentDefinition[]): void | Promise<void>
  /** Returns a result to replace `current`, or `undefined` to leave it as it is. */
  resolve(
    input: StageInput,
    current: StageResult | undefined,
  ): StageResult | undefined | Promise<StageResult | undefined>
  /** Releases what the stage holds (models, sessions) when the engine closes. */
  close?(): void | Promise<void>
}

/** Sorts candidates by confidence, best first (names break ties, so results are stable). */
export function sortCandidates(candidates: StageCandidate[]): StageCandidate[] {
  return candidates.sort(
    (a, b) => b.confidence - a.confidence || (a.intent < b.intent ? -1 : a.intent > b.intent ? 1 : 0),
  )
}
