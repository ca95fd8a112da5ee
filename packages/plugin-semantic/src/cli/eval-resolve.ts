/**
 * `ixp semantic eval --shots K --seeds 1,2,3` and evaluation of annotated rows: each seed samples K examples per
 * intent from --train (all of them without --shots), registers them as intents on a real engine with the plugin,
 * resolves every test sentence (--test, else the training rows not sampled) and reports intent accuracy,
 * closed-set top-1, the ambiguous band and, when rows carry entities, slot precision/recall/F1 — per seed and
 * their mean.
 */
import type { IntentExample } from '../classifier/examples.js'
import { evaluateResolve, type ResolveEvaluation } from '../eval/resolve-eval.js'
import { sampleShots } from '../eval/shots.js'

export interface ShotsRun {
  train: readonly IntentExample[]
  test: readonly IntentExample[] | undefined
  shots: number | undefined
  seeds: number[]
  /** At most this many test sentences (spread evenly over the test rows). */
  maxTest: number | undefined
  outOfScopeLabel: string
  progress: ((line: string) => void) | undefined
}

export interface SeedResult extends ResolveEvaluation {
  seed: number
  trainExamples: number
}

function spread<T>(rows: readonly T[], max: number | undefined): T[] {
  if (max === undefined || rows.length <= max) return [...rows]
  const step = rows.length / max
  return Array.from({ length: max }, (_, i) => rows[Math.floor(i * step)]!)
}

export async function runShots(run: ShotsRun): Promise<SeedResult[]> {
  const inScope = run.train.filter((example) => example.intent !== run.outOfScopeLabel)
  const results: SeedResult[] = []
  for (const seed of run.seeds) {
    const split =
      run.shots === undefined ? { train: inScope, rest: [] } : sampleShots(inScope, run.shots, seed)
    const test = spread(run.test ?? split.rest, run.maxTest)
    run.progress?.(`seed ${seed}: training on ${split.train.length} examples`)
    const report = await evaluateResolve(split.train, test, {
      classifier: { seed },
      outOfScopeLabel: run.outOfScopeLabel,
      onProgress: run.progress && ((done, total) => run.progress!(`seed ${seed}: ${done}/${total} queries`)),
    })
    results.push({ seed, trainExamples: split.train.length, ...report })
  }
  run.progress?.('')
  return results
}

const pct = (value: number) => `${(value * 100).toFixed(2)}%`

/** Mean of each figure over the seeds. */
export function meanOf(results: readonly SeedResult[]): Record<string, number | null> {
  const mean = (pick: (r: SeedResult) => number | undefined) => {
    const values = results.map(pick).filter((v): v is number => typeof v === 'number')
    return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length
  }
  return {
    accuracy: mean((r) => r.accuracy),
    top1: mean((r) => r.top1),
    rejected: mean((r) => r.rejected),
    oosRecall: mean((r) => r.oosRecall ?? undefined),
    ambiguousWithRight: mean((r) => r.ambiguousWithRight),
    slotPrecision: mean((r) => r.slots?.precision),
    slotRecall: mean((r) => r.slots?.recall),
    slotF1: mean((r) => r.slots?.f1),
    medianMicros: mean((r) => r.medianMicros),
    trainMs: mean((r) => r.trainMs),
  }
}

export function formatShots(results: readonly SeedResult[], shots: number | undefined): string {
  const lines = results.map((r) => {
    const slots = r.slots
      ? `, slots P ${r.slots.precision.toFixed(3)} R ${r.slots.recall.toFixed(3)} F1 ${r.slots.f1.toFixed(3)}`
      : ''
    const oos = r.oosRecall === null ? '' : `, out-of-scope recall ${pct(r.oosRecall)} of ${r.oosExamples}`
    return `seed ${r.seed}: ${r.trainExamples} examples, ${r.testExamples} test — accuracy ${pct(r.accuracy)}, top-1 ${pct(r.top1)}, turned away ${pct(r.rejected)} (ambiguous with the right intent ${pct(r.ambiguousWithRight)})${oos}${slots}, median ${r.medianMicros.toFixed(0)} µs, training ${Math.round(r.trainMs)} ms`
  })
  const mean = meanOf(results)
  const slots =
    mean.slotF1 === null || mean.slotF1 === undefined
      ? ''
      : `, slots P ${mean.slotPrecision!.toFixed(3)} R ${mean.slotRecall!.toFixed(3)} F1 ${mean.slotF1.toFixed(3)}`
  lines.push(
    `mean over ${results.length} seed(s)${shots === undefined ? '' : ` at ${shots} examples per intent`}: accuracy ${pct(mean.accuracy!)}, top-1 ${pct(mean.top1!)}, turned away ${pct(mean.rejected!)}${mean.oosRecall == null ? '' : `, out-of-scope recall ${pct(mean.oosRecall)}`}${slots}`,
  )
  return `${lines.join('\n')}\n`
}
