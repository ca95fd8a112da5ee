/**
 * Embedding providers turn texts into vectors whose cosine similarity tracks meaning. Any model can be
 * plugged in: a local transformers.js model (see `transformersEmbeddings`), a remote API, a cache.
 */
import { semanticError } from '../errors.js'

export interface EmbeddingProvider {
  /** Name for logs and result details, e.g. the model's name. */
  readonly name: string
  /** One vector per text, all of the same length, in the order of `texts`. */
  embed(texts: readonly string[]): Promise<Float32Array[]> | Float32Array[]
  /** Releases the model (called when the engine closes). */
  close?(): void | Promise<void>
}

/** Calls the provider and checks its answer: one finite vector per text, all of one length. */
export async function embedChecked(
  provider: EmbeddingProvider,
  texts: readonly string[],
): Promise<Float32Array[]> {
  let vectors: Float32Array[]
  try {
    vectors = await provider.embed(texts)
  } catch (error) {
    throw semanticError(
      'SEMANTIC_EMBEDDING_FAILED',
      {
        provider: provider.name,
        problem: `failed: ${error instanceof Error ? error.message : String(error)}`,
      },
      { cause: error },
    )
  }
  if (!Array.isArray(vectors) || vectors.length !== texts.length)
    throw semanticError('SEMANTIC_EMBEDDING_FAILED', {
      provider: provider.name,
      problem: `returned ${Array.isArray(vectors) ? vectors.length : 'no'} vectors for ${texts.length} texts`,
    })
  const dimensions = vectors[0]?.length ?? 0
  for (const vector of vectors) {
    if (!(vector instanceof Float32Array) || vector.length === 0 || vector.length !== dimensions)
      throw semanticError('SEMANTIC_EMBEDDING_FAILED', {
        provider: provider.name,
        problem: `must return Float32Arrays of one non-zero length`,
      })
  }
  return vectors
}

/** Scales a vector to unit length in place (a zero vector stays zero). */
export function normalizeVector(vector: Float32Array): Float32Array {
  let sum = 0
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!
  if (sum > 0) {
    const scale = 1 / Math.sqrt(sum)
    for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! * scale
  }
  return vector
}
