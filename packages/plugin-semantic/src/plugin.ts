/**
 * `semantic()`: natural-language resolution for an engine. At `ready()` the stages learn from the
 * registered intents; when intents change they learn again (debounced); every `engine.resolve(text)` that
 * no exact name answered runs the pipeline, and a match carries the parameters the text states.
 */
import {
  coreError,
  Stage,
  type Engine,
  type IxpPlugin,
  type RegistryChange,
  type ResolveOutcome,
} from '@ixp/core'
import { semanticError } from './errors.js'
import { checkSemanticOptions, type SemanticOptions } from './options.js'
import { extractParameters } from './params/extract.js'
import { ResolverPipeline } from './pipeline.js'
import { annotationIssues } from './slots/annotations.js'
import { SlotFiller } from './slots/filler.js'
import { classifierStage } from './stages/classifier.js'
import { contextStage } from './stages/context.js'
import { embeddingStage } from './stages/embedding.js'
import { exactStage } from './stages/exact.js'
import type { ResolverStage } from './stages/types.js'
import './augment.js'

export const PLUGIN_NAME = '@ixp/plugin-semantic'

export interface SemanticPlugin extends IxpPlugin {
  /** The resolver pipeline (its stages, in order). */
  readonly pipeline: ResolverPipeline
  /** Resolves once the stages learned the current intents (waits for a pending retraining). */
  whenTrained(): Promise<void>
}

export function defaultStages(options: SemanticOptions): ResolverStage[] {
  return [
    exactStage(),
    classifierStage({
      training: options.classifier,
      model: options.model,
      calibration: options.calibration,
      outOfScopeExamples: options.outOfScopeExamples,
      maskNames: options.maskNames,
    }),
    ...(options.embeddings ? [embeddingStage({ ...options.embedding, provider: options.embeddings })] : []),
    contextStage(options.context),
  ]
}

export function semantic(options: SemanticOptions = {}): SemanticPlugin {
  checkSemanticOptions(options)
  const pipeline = new ResolverPipeline(options.stages ?? defaultStages(options), {
    earlyExit: options.earlyExit,
    threshold: options.threshold,
    limit: options.limit,
    clarifyBand: options.clarifyBand,
  })
  const slots = new SlotFiller(options.entities)
  const delay = options.retrainDelayMs ?? 100
  const fillParameters = options.extractParameters ?? true
  let attached: Engine | undefined
  let training: Promise<void> | undefined
  let dirty = false
  let timer: ReturnType<typeof setTimeout> | undefined
  let closed = false

  // One training at a time; changes that arrive meanwhile trigger one more round afterwards.
  const train = (engine: Engine): Promise<void> => {
    if (training) {
      dirty = true
      return training
    }
    training = (async () => {
      try {
        do {
          dirty = false
          const intents = engine.intents.list()
          const started = performance.now()
          await pipeline.prepare(intents)
          if (fillParameters) slots.prepare(intents)
          engine.logger.debug('semantic stages trained', {
            intents: intents.length,
            ms: Math.round(performance.now() - started),
          })
        } while (dirty && !closed)
      } finally {
        training = undefined
      }
    })()
    return training
  }

  return {
    name: PLUGIN_NAME,
    version: '0.1.0',
    pipeline,
    async whenTrained() {
      if (timer !== undefined && attached) {
        clearTimeout(timer)
        timer = undefined
        await train(attached)
      }
      while (training) await training
    },
    apply(engine) {
      if (attached && attached !== engine)
        throw semanticError('SEMANTIC_INVALID_OPTIONS', {
          problem: `A semantic() plugin serves one engine; create one per engine`,
        })
      attached = engine

      // Annotated examples are checked when the intent registers, so a mistake names its example.
      engine.hooks.registerIntent.tap({ name: `${PLUGIN_NAME}:annotations` }, (definition) => {
        const issues = annotationIssues(definition)
        if (issues.length > 0)
          throw coreError(
            'INVALID_DEFINITION',
            {
              reason: `Invalid intent '${definition.name}': ${issues
                .slice(0, 5)
                .map((issue) => `${issue.path} ${issue.message}`)
                .join('; ')}`,
            },
            { details: { issues } },
          )
        return definition
      })

      engine.hooks.ready.tapPromise({ name: `${PLUGIN_NAME}:train` }, async () => {
        await train(engine)
      })

      const onChange = (change: RegistryChange) => {
        if (change.kind !== 'intent' || closed || !engine.isReady) return
        if (timer !== undefined) clearTimeout(timer)
        timer = setTimeout(() => {
          timer = undefined
          train(engine).catch((error: unknown) =>
            engine.logger.error('semantic retraining failed', { error: (error as Error)?.message }),
          )
        }, delay)
      }
      engine.events.on('registry:changed', onChange)

      engine.hooks.resolve.tapPromise(
        { name: PLUGIN_NAME, stage: Stage.SEMANTIC },
        async (query, context): Promise<ResolveOutcome | undefined> => {
          if (closed) return undefined
          // A failed retraining was logged; the previous model keeps answering.
          while (training) await training.catch(() => undefined)
          const decision = await pipeline.resolve(query, context, engine.intents)
          if (decision.reason === 'no-match') return undefined
          if (!decision.matched || decision.intent === null)
            return {
              matched: false,
              intent: null,
              confidence: decision.confidence,
              alternatives: decision.alternatives,
              reason: decision.reason === 'ambiguous' ? 'ambiguous' : 'out-of-scope',
              source: decision.source,
            }
          const definition = engine.intents.get(decision.intent)
          if (!fillParameters)
            return {
              matched: true,
              intent: decision.intent,
              parameters: {},
              confidence: decision.confidence,
              alternatives: decision.alternatives,
              source: decision.source,
            }
          const filled = slots.fill(decision.intent, query.text)
          const extracted = extractParameters(query.text, definition?.parameters, {
            filled: filled.parameters,
            taken: filled.slots.filter((slot) => slot.parameter !== undefined),
          })
          return {
            matched: true,
            intent: decision.intent,
            parameters: extracted.parameters,
            ...(filled.slots.length > 0 ? { slots: filled.slots } : {}),
            confidence: decision.confidence,
            alternatives: decision.alternatives,
            ...(extracted.missing.length > 0 ? { missing: extracted.missing } : {}),
            source: decision.source,
          }
        },
      )

      return async () => {
        closed = true
        if (timer !== undefined) clearTimeout(timer)
        engine.events.off('registry:changed', onChange)
        await training?.catch(() => undefined)
        await pipeline.close()
      }
    },
  }
}
