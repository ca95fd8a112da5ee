/**
 * The versioned JSON form of a trained classifier: numbers as base64 little-endian typed arrays, so a model
 * trained once (`ixp semantic train`) ships to an edge deployment as one JSON file and loads in milliseconds.
 */
import { isObject } from '@ixp/core'
import { semanticError } from '../errors.js'
import { decodeFloat32, decodeInt32, decodeUint16, decodeUint32, encodeArray } from '../model/base64.js'
import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from '../text/features.js'
import { FeatureTable } from '../text/feature-table.js'
import type { ClassifierParts } from './classifier.js'

export const MODEL_FORMAT = 'ixp-semantic-classifier'
/**
 * 2: the weights hold two scores per label, the one-vs-rest (confidence) scores then the multiclass
 * (ranking) scores — or one score per label, which also ranks, from the sparse trainer (`trainer: 'sparse'`).
 * Version 1 models (one score per label) are still read.
 */
export const MODEL_VERSION = 2
const READABLE_VERSIONS: readonly number[] = [1, MODEL_VERSION]

export interface SerializedClassifier {
  format: typeof MODEL_FORMAT
  version: typeof MODEL_VERSION
  labels: string[]
  rejectLabel: string | null
  features: FeatureConfig
  blockWeights: { word: number; char: number }
  calibration: { slope: number; offset: number; threshold: number }
  stats: { intents: number; examples: number; features: number; weights: number; trainMs: number }
  /**
   * Base64 arrays: feature hashes by row, their IDF, and the sparse weights of `2 × labels` classes
   * (per-intent scores, then ranking scores).
   */
  arrays: {
    keys: string
    idf: string
    rowStart: string
    classIndex: string
    weights: string
    bias: string
  }
}

export function encodeClassifier(parts: ClassifierParts): SerializedClassifier {
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    labels: [...parts.labels],
    rejectLabel: parts.rejectLabel ?? null,
    features: { ...parts.features },
    blockWeights: { word: parts.wordWeight, char: parts.charWeight },
    calibration: { ...parts.calibration },
    stats: { ...parts.stats },
    arrays: {
      keys: encodeArray(parts.table.keysByRow()),
      idf: encodeArray(parts.idf),
      rowStart: encodeArray(parts.model.rowStart),
      classIndex: encodeArray(parts.model.classIndex),
      weights: encodeArray(parts.model.weights),
      bias: encodeArray(parts.model.bias),
    },
  }
}

function invalid(reason: string): never {
  throw semanticError('SEMANTIC_INVALID_MODEL', { reason })
}

function finite(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(`'${name}' must be a finite number`)
  return value
}

function array<T>(decoded: T | undefined, name: string): T {
  if (decoded === undefined) invalid(`'arrays.${name}' is not valid base64 of the expected element size`)
  return decoded
}

export function decodeClassifier(json: unknown): ClassifierParts {
  if (typeof json === 'string') {
    try {
      json = JSON.parse(json)
    } catch {
      invalid('the text is not JSON')
    }
  }
  if (!isObject(json)) invalid('expected an object produced by IntentClassifier.toJSON()')
  if (json.format !== MODEL_FORMAT) invalid(`'format' must be '${MODEL_FORMAT}'`)
  if (typeof json.version !== 'number' || !READABLE_VERSIONS.includes(json.version))
    invalid(
      `version ${String(json.version)} is not supported (this package reads versions ${READABLE_VERSIONS.join(' and ')}); retrain or upgrade`,
    )
  const labels = json.labels
  if (
    !Array.isArray(labels) ||
    labels.length === 0 ||
    !labels.every((label) => typeof label === 'string' && label)
  )
    invalid(`'labels' must be a non-empty array of intent names`)
  if (new Set(labels).size !== labels.length) invalid(`'labels' has duplicates`)
  const rejectLabel = json.rejectLabel === null ? undefined : json.rejectLabel
  if (rejectLabel !== undefined && (typeof rejectLabel !== 'string' || !labels.includes(rejectLabel)))
    invalid(`'rejectLabel' must be null or one of the labels`)
  if (!isObject(json.features)) invalid(`'features' is missing`)
  const features = { ...DEFAULT_FEATURE_CONFIG } as FeatureConfig
  for (const key of ['wordNgrams', 'charMin', 'charMax', 'maxChars'] as const)
    features[key] = finite(json.features[key], `features.${key}`)
  if (typeof json.features.edgeBigrams !== 'boolean') invalid(`'features.edgeBigrams' must be a boolean`)
  features.edgeBigrams = json.features.edgeBigrams
  if (!isObject(json.blockWeights)) invalid(`'blockWeights' is missing`)
  const wordWeight = finite(json.blockWeights.word, 'blockWeights.word')
  const charWeight = finite(json.blockWeights.char, 'blockWeights.char')
  if (!isObject(json.calibration)) invalid(`'calibration' is missing`)
  const calibration = {
    slope: finite(json.calibration.slope, 'calibration.slope'),
    offset: finite(json.calibration.offset, 'calibration.offset'),
    threshold: finite(json.calibration.threshold, 'calibration.threshold'),
  }
  if (!isObject(json.arrays)) invalid(`'arrays' is missing`)
  const text = (name: string) => {
    const value = (json as { arrays: Record<string, unknown> }).arrays[name]
    if (typeof value !== 'string') invalid(`'arrays.${name}' must be a base64 string`)
    return value
  }
  const keys = array(decodeUint32(text('keys')), 'keys')
  const idf = array(decodeFloat32(text('idf')), 'idf')
  const rowStart = array(decodeInt32(text('rowStart')), 'rowStart')
  const classIndex = array(decodeUint16(text('classIndex')), 'classIndex')
  const weights = array(decodeFloat32(text('weights')), 'weights')
  const bias = array(decodeFloat32(text('bias')), 'bias')
  // Version 2 holds two scores per label, or one when the sparse trainer made it (its scores also rank).
  const scoresPerLabel = json.version === 1 || bias.length === labels.length ? 1 : 2
  const classes = labels.length * scoresPerLabel
  const featureCount = keys.length
  if (idf.length !== featureCount) invalid(`'arrays.idf' has ${idf.length} entries, expected ${featureCount}`)
  if (rowStart.length !== featureCount + 1)
    invalid(`'arrays.rowStart' must have one entry per feature, plus one`)
  if (bias.length !== classes)
    invalid(`'arrays.bias' must have ${json.version === 1 ? 'one entry' : 'one or two entries'} per label`)
  if (classIndex.length !== weights.length)
    invalid(`'arrays.classIndex' and 'arrays.weights' differ in length`)
  if (rowStart[0] !== 0 || rowStart[featureCount] !== weights.length) invalid(`'arrays.rowStart' is corrupt`)
  for (let f = 0; f < featureCount; f++)
    if (rowStart[f + 1]! < rowStart[f]!) invalid(`'arrays.rowStart' is corrupt`)
  for (let p = 0; p < classIndex.length; p++)
    if (classIndex[p]! >= classes) invalid(`'arrays.classIndex' is corrupt`)
  const table = FeatureTable.from(keys)
  if (table.size !== featureCount) invalid(`'arrays.keys' has duplicates`)
  const stats = isObject(json.stats) ? json.stats : {}
  return {
    labels: labels as string[],
    rejectLabel: rejectLabel as string | undefined,
    features,
    wordWeight,
    charWeight,
    table,
    idf,
    model: { classes, features: featureCount, rowStart, classIndex, weights, bias },
    calibration,
    stats: {
      intents: labels.length - (rejectLabel === undefined ? 0 : 1),
      examples: typeof stats.examples === 'number' ? stats.examples : 0,
      features: featureCount,
      weights: weights.length,
      trainMs: typeof stats.trainMs === 'number' ? stats.trainMs : 0,
    },
  }
}
