/**
 * The two ways the classifier fits its weights (`trainer` option): exactly, for up to a few hundred intents,
 * or sparsely, for thousands. Both return the inference form, a sparse linear model.
 */
import { trainMulticlassSvm } from '../model/multiclass-svm.js'
import { trainOneVsRestSvm } from '../model/one-vs-rest-svm.js'
import { meanColumnValues, sparsify, type SparseLinearModel } from '../model/sparse-linear.js'
import { trainSparseOneVsRest } from '../model/sparse-one-vs-rest.js'
import type { SparseMatrix } from '../model/vocabulary.js'
import type { ResolvedClassifierOptions } from './options.js'

/**
 * Two linear models over the same features, scored in one pass. One SVM per intent against all others
 * says how much a text looks like that intent's examples: an absolute score, so the confidence that turns
 * away out-of-scope text. The multiclass SVM says which intent beats the others: the ranking, better among
 * close intents.
 */
export function trainExact(
  matrix: SparseMatrix,
  targets: Int32Array,
  features: number,
  classes: number,
  labelCount: number,
  settings: ResolvedClassifierOptions,
): SparseLinearModel {
  const progress = settings.onProgress
  const trainSteps = classes + settings.maxPasses
  const perIntent = trainOneVsRestSvm(matrix, targets, features, classes, {
    c: settings.c,
    tolerance: 0.1,
    maxPasses: settings.maxPasses,
    biasFeature: 1,
    shrinkMargin: 0.1,
    seed: settings.seed,
    onClass: progress && ((done) => progress({ phase: 'train', done, total: trainSteps })),
  })
  const ranking = trainMulticlassSvm(matrix, targets, features, classes, {
    c: settings.c,
    tolerance: 0.1,
    maxPasses: settings.maxPasses,
    biasFeature: 1,
    seed: settings.seed,
    onPass: progress && ((done) => progress({ phase: 'train', done: classes + done, total: trainSteps })),
  })
  return sparsify([perIntent, ranking], labelCount, meanColumnValues(matrix, features), settings.pruneBelow)
}

/** One SVM per intent against its retrieved hard negatives: for thousands of intents (one score set, which also ranks). */
export function trainSparse(
  matrix: SparseMatrix,
  targets: Int32Array,
  features: number,
  classes: number,
  settings: ResolvedClassifierOptions,
): SparseLinearModel {
  const progress = settings.onProgress
  return trainSparseOneVsRest(matrix, targets, features, classes, {
    c: settings.c,
    tolerance: 0.1,
    maxPasses: settings.maxPasses,
    biasFeature: 1,
    seed: settings.seed,
    candidates: 16,
    randomNegatives: 32,
    maxPostings: 32,
    pruneBelow: settings.pruneBelow,
    typicalValue: meanColumnValues(matrix, features),
    onClass: progress && ((done) => progress({ phase: 'train', done, total: classes })),
  })
}
