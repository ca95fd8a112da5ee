/**
 * `ixp semantic …`: train, evaluate and export the embedded classifier from JSON Lines files. This entry
 * point reads files with node:fs; the library entry (`@ixp/plugin-semantic`) stays free of Node built-ins.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { isIxpError } from '@ixp/core'
import { IntentClassifier, type CalibrationReport } from '../classifier/classifier.js'
import type { IntentExample } from '../classifier/examples.js'
import type { TrainingProgress } from '../classifier/options.js'
import { parseJsonl } from '../eval/dataset.js'
import { evaluate } from '../eval/evaluate.js'
import { formatShots, meanOf, runShots } from './eval-resolve.js'
import { numberFlag, parseFlags, UsageError, type FlagSpec, type ParsedArgs } from './args.js'

export interface SemanticCommandIO {
  stdout: { write(text: string): unknown }
  stderr: { write(text: string): unknown; isTTY?: boolean }
  /** Progress lines are drawn on stderr only on a terminal. @default stderr.isTTY */
  isTTY?: boolean
  /** Directory relative file paths are resolved against. @default process.cwd() */
  cwd?: string
}

export const USAGE = `Usage: ixp semantic <command> [options]

Commands:
  eval    Train on --train, calibrate the out-of-scope threshold on --val, report accuracy on --test
  train   Train (and calibrate) a model and write it as JSON for semantic({ model })

Options:
  --train <jsonl>       Training examples, {"text","intent"} per line (repeatable, required)
  --val <jsonl>         Held-out examples: fits confidences and the out-of-scope threshold
  --test <jsonl>        Test examples (eval, required)
  --out <file>          Where to write the model (train, required)
  --oos-label <label>   Intent label of out-of-scope examples (default: oos)
  --oos-weight <n>      Worth of a rejected out-of-scope example vs a right in-scope answer (default: 1)
  --seed <n>            Training seed (default: 1)
  --shots <k>           eval: train on k examples per intent sampled from --train, through a real engine
                        (test on --test, else on the --train rows not sampled)
  --seeds <list>        eval with --shots: the sampling seeds, e.g. 1,2,3 (default: 1); reports each and the mean
  --max-test <n>        eval with --shots or annotated rows: at most n test sentences, spread evenly
  --json                eval: print the report as one JSON object on the last line
  --help                Show this help
`

const COMMON: Record<string, FlagSpec> = {
  train: { value: true, repeatable: true },
  val: { value: true },
  'oos-label': { value: true },
  'oos-weight': { value: true },
  seed: { value: true },
  help: { value: false },
}

const COMMANDS: Record<string, Record<string, FlagSpec>> = {
  eval: {
    ...COMMON,
    test: { value: true },
    json: { value: false },
    shots: { value: true },
    seeds: { value: true },
    'max-test': { value: true },
  },
  train: { ...COMMON, out: { value: true } },
}

/** Runs `ixp semantic <argv…>` and returns the exit code: 0 done, 1 failed, 2 bad arguments. */
export async function runSemanticCommand(
  argv: readonly string[],
  io?: Partial<SemanticCommandIO>,
): Promise<number> {
  const out = io?.stdout ?? process.stdout
  const err = io?.stderr ?? process.stderr
  const isTTY = io?.isTTY ?? Boolean(io?.stderr ? io.stderr.isTTY : process.stderr.isTTY)
  const cwd = io?.cwd ?? process.cwd()
  const [command, ...rest] = argv
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    ;(command === undefined ? err : out).write(USAGE)
    return command === undefined ? 2 : 0
  }
  const specs = COMMANDS[command]
  if (!specs) {
    err.write(`Unknown command '${command}'.\n\n${USAGE}`)
    return 2
  }
  let args: ParsedArgs
  try {
    args = parseFlags(rest, specs)
    if (args.switches.has('help')) {
      out.write(USAGE)
      return 0
    }
    if (!args.values.get('train')?.length)
      throw new UsageError(`'${command}' needs at least one --train <jsonl>`)
    if (command === 'eval' && !args.values.get('test') && !args.values.get('shots'))
      throw new UsageError(`'eval' needs --test <jsonl> (or --shots <k>)`)
    numberFlag(args, 'shots', (value) => Number.isInteger(value) && value > 0, 'a positive integer')
    numberFlag(args, 'max-test', (value) => Number.isInteger(value) && value > 0, 'a positive integer')
    seedsOf(args)
    if (command === 'train' && !args.values.get('out')) throw new UsageError(`'train' needs --out <file>`)
    numberFlag(args, 'seed', Number.isInteger, 'an integer')
    numberFlag(args, 'oos-weight', (value) => value > 0, 'a positive number')
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    err.write(`${error.message}\n\n${USAGE}`)
    return 2
  }
  const quiet = args.switches.has('json') || !isTTY
  const progress = quiet ? undefined : (line: string) => err.write(`\r\x1b[2K${line}`)
  try {
    const files = (file: string) => resolve(cwd, file)
    if (command === 'eval') {
      const train = args.values.get('train')!.flatMap((file) => readExamples(file, files))
      const testFile = args.values.get('test')?.[0]
      const test = testFile === undefined ? undefined : readExamples(testFile, files)
      // Few-shot runs and annotated rows go through a real engine (slots need the resolver's tagger).
      if (args.values.get('shots') || [...train, ...(test ?? [])].some((row) => row.entities !== undefined))
        return await runResolveEval(args, out, progress, train, test)
      return runEval(args, out, progress, files)
    }
    return runTrain(args, out, progress, files)
  } catch (error) {
    if (progress) err.write('\r\x1b[2K')
    if (isIxpError(error)) {
      err.write(`${error.message}\n`)
      return 1
    }
    const message = error instanceof Error ? error.message : String(error)
    err.write(`ixp semantic ${command} failed: ${message}\n`)
    return 1
  }
}

type Progress = ((line: string) => void) | undefined
type Paths = (file: string) => string

function readExamples(file: string, paths: Paths): IntentExample[] {
  let content: string
  try {
    content = readFileSync(paths(file), 'utf8')
  } catch (error) {
    throw new Error(
      `cannot read '${file}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    )
  }
  return parseJsonl(content, file)
}

interface Trained {
  classifier: IntentClassifier
  examples: number
  trainMs: number
  calibration: CalibrationReport | undefined
}

function trainFrom(args: ParsedArgs, progress: Progress, command: 'eval' | 'train', paths: Paths): Trained {
  const oosLabel = args.values.get('oos-label')?.[0] ?? 'oos'
  const train = args.values.get('train')!.flatMap((file) => readExamples(file, paths))
  const valFile = args.values.get('val')?.[0]
  const val = valFile === undefined ? undefined : readExamples(valFile, paths)
  const seed = numberFlag(args, 'seed', Number.isInteger, 'an integer') ?? 1
  const onProgress = progress
    ? (p: TrainingProgress) =>
        progress(
          p.phase === 'features'
            ? `features: ${p.done}/${p.total} examples`
            : p.phase === 'train'
              ? `training: ${Math.floor((100 * p.done) / p.total)}%`
              : `calibrating: fold ${p.done}/${p.total}`,
        )
    : undefined
  // An evaluation calibrates on --val only: without it, no threshold is invented, and only the
  // out-of-scope examples of the training set (if any) reject text. A model written for deployment
  // without --val is calibrated by cross-validation instead, as the plugin would.
  const crossValidate = command === 'train' && !val
  const started = performance.now()
  const classifier = IntentClassifier.train(train, {
    outOfScopeLabel: oosLabel,
    seed,
    onProgress,
    ...(crossValidate ? {} : { calibrationFolds: 0 }),
  })
  const trainMs = performance.now() - started
  let calibration: CalibrationReport | undefined
  if (val) {
    progress?.('calibrating on held-out examples')
    calibration = classifier.calibrate(val, {
      outOfScopeLabel: oosLabel,
      outOfScopeWeight: numberFlag(args, 'oos-weight', (value) => value > 0, 'a positive number') ?? 1,
    })
  } else if (!crossValidate) classifier.setCalibration({ threshold: 0 })
  progress?.('')
  return { classifier, examples: train.length, trainMs, calibration }
}

function percent(value: number | null): string {
  return value === null ? 'n/a' : `${(value * 100).toFixed(2)}%`
}

function runEval(
  args: ParsedArgs,
  out: SemanticCommandIO['stdout'],
  progress: Progress,
  paths: Paths,
): number {
  const oosLabel = args.values.get('oos-label')?.[0] ?? 'oos'
  const testFile = args.values.get('test')![0]!
  const test = readExamples(testFile, paths)
  const { classifier, examples, trainMs, calibration } = trainFrom(args, progress, 'eval', paths)
  const report = evaluate(classifier, test, {
    outOfScopeLabel: oosLabel,
    onProgress: progress && ((done, total) => progress(`evaluating: ${done}/${total} queries`)),
  })
  progress?.('')
  const stats = classifier.stats
  const threshold = classifier.calibration.threshold
  const lines = [
    `trained on ${examples} examples (${stats.intents} intents) in ${Math.round(trainMs)} ms: ${stats.features} features, ${stats.weights} weights`,
    calibration
      ? `calibrated on ${basename(args.values.get('val')![0]!)} (${calibration.examples} examples, ${calibration.outOfScope} out of scope): threshold ${threshold.toFixed(3)}`
      : `no --val: no confidence threshold (only out-of-scope training examples reject text)`,
    `test ${basename(testFile)}: ${report.inScopeExamples} in scope, ${report.oosExamples} out of scope`,
    `  in-scope accuracy     ${percent(report.inScopeAccuracy)}`,
    `  out-of-scope recall   ${percent(report.oosRecall)}`,
    `  in-scope rejected     ${percent(report.inScopeRejected)}`,
    `  latency per query     median ${report.medianMicros.toFixed(1)} µs, p95 ${report.p95Micros.toFixed(1)} µs`,
    `  training              ${Math.round(trainMs)} ms`,
  ]
  if (report.unknownIntents > 0)
    lines.push(`  note: ${report.unknownIntents} test examples have intents absent from training`)
  if (args.switches.has('json')) {
    out.write(
      `${JSON.stringify({
        inScopeAccuracy: report.inScopeAccuracy,
        oosRecall: report.oosRecall,
        medianMicros: report.medianMicros,
        p95Micros: report.p95Micros,
        trainMs,
        examples,
        testExamples: test.length,
        inScopeRejected: report.inScopeRejected,
        threshold,
        calibrated: calibration !== undefined,
      })}\n`,
    )
  } else out.write(`${lines.join('\n')}\n`)
  return 0
}

function seedsOf(args: ParsedArgs): number[] {
  const raw = args.values.get('seeds')?.[0]
  if (raw === undefined) return [numberFlag(args, 'seed', Number.isInteger, 'an integer') ?? 1]
  const seeds = raw.split(',').map((part) => Number(part.trim()))
  if (seeds.length === 0 || !seeds.every(Number.isInteger))
    throw new UsageError(`Option '--seeds' must be a comma-separated list of integers, got '${raw}'`)
  return seeds
}

async function runResolveEval(
  args: ParsedArgs,
  out: SemanticCommandIO['stdout'],
  progress: Progress,
  train: IntentExample[],
  test: IntentExample[] | undefined,
): Promise<number> {
  const shots = numberFlag(args, 'shots', Number.isInteger, 'a positive integer')
  const results = await runShots({
    train,
    test,
    shots,
    seeds: seedsOf(args),
    maxTest: numberFlag(args, 'max-test', Number.isInteger, 'a positive integer'),
    outOfScopeLabel: args.values.get('oos-label')?.[0] ?? 'oos',
    progress,
  })
  if (args.switches.has('json'))
    out.write(`${JSON.stringify({ shots: shots ?? null, mean: meanOf(results), seeds: results })}\n`)
  else out.write(formatShots(results, shots))
  return 0
}

function runTrain(
  args: ParsedArgs,
  out: SemanticCommandIO['stdout'],
  progress: Progress,
  paths: Paths,
): number {
  const file = paths(args.values.get('out')![0]!)
  const { classifier, examples, trainMs, calibration } = trainFrom(args, progress, 'train', paths)
  const json = JSON.stringify(classifier.toJSON())
  try {
    writeFileSync(file, json)
  } catch (error) {
    throw new Error(
      `cannot write '${file}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    )
  }
  out.write(
    `wrote ${file} (${(json.length / 1024).toFixed(0)} KiB): ${classifier.stats.intents} intents from ${examples} examples in ${Math.round(trainMs)} ms${calibration ? `, calibrated on ${calibration.examples} held-out examples` : ''}\n`,
  )
  return 0
}
