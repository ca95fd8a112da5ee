/**
 * An embedding provider over a transformers.js feature-extraction model stored on disk. The package
 * `@huggingface/transformers` is an optional peer dependency, imported on first use only, so the plugin
 * costs nothing to those who do not use it. Remote model downloads are switched off: the model must be in
 * `modelPath` (config.json, tokenizer files and onnx/model*.onnx, as exported for transformers.js).
 */
import { semanticError } from '../errors.js'
import type { EmbeddingProvider } from './provider.js'

export interface TransformersEmbeddingOptions {
  /** Folder of the model, e.g. `./models/all-MiniLM-L6-v2`. */
  modelPath: string
  /**
   * Weights precision to load (`fp32`, `fp16`, `q8`, …: the model's onnx files decide what exists).
   * @default 'fp32'
   */
  dtype?: string
  /**
   * How token vectors become one sentence vector.
   * @default 'mean'
   */
  pooling?: 'mean' | 'cls'
  /**
   * Texts per model call.
   * @default 32
   */
  batchSize?: number
}

interface Tensor {
  dims: number[]
  data: Float32Array | ArrayLike<number>
}
type Extractor = ((texts: string[], options: { pooling: string; normalize: boolean }) => Promise<Tensor>) & {
  dispose?: () => Promise<unknown>
}
interface TransformersModule {
  env: { allowRemoteModels: boolean; allowLocalModels: boolean; localModelPath: string }
  pipeline: (task: string, model: string, options: Record<string, unknown>) => Promise<Extractor>
}

/** The package's name, kept in a variable so bundlers leave the optional import alone. */
const PACKAGE = '@huggingface/transformers'

export function transformersEmbeddings(options: TransformersEmbeddingOptions): EmbeddingProvider {
  if (typeof options?.modelPath !== 'string' || options.modelPath.trim() === '')
    throw semanticError('SEMANTIC_INVALID_OPTIONS', {
      problem: `transformersEmbeddings needs 'modelPath', the folder of a local model`,
    })
  const batchSize = options.batchSize ?? 32
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw semanticError('SEMANTIC_INVALID_OPTIONS', {
      problem: `transformersEmbeddings option 'batchSize' must be a positive integer`,
    })
  const trimmed = options.modelPath.replace(/[\\/]+$/, '')
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'))
  const folder = cut === -1 ? './' : trimmed.slice(0, cut + 1)
  const model = cut === -1 ? trimmed : trimmed.slice(cut + 1)
  let loading: Promise<Extractor> | undefined

  const load = async (): Promise<Extractor> => {
    let module: TransformersModule
    try {
      module = (await import(/* @vite-ignore */ PACKAGE)) as TransformersModule
    } catch (error) {
      throw semanticError(
        'SEMANTIC_EMBEDDINGS_UNAVAILABLE',
        {
          reason: `Embeddings need the optional package '${PACKAGE}': install it next to @ixp/plugin-semantic`,
        },
        { cause: error },
      )
    }
    module.env.allowRemoteModels = false
    module.env.allowLocalModels = true
    module.env.localModelPath = folder
    try {
      return await module.pipeline('feature-extraction', model, {
        dtype: options.dtype ?? 'fp32',
        local_files_only: true,
      })
    } catch (error) {
      throw semanticError(
        'SEMANTIC_EMBEDDINGS_UNAVAILABLE',
        {
          reason: `Cannot load the embedding model at '${options.modelPath}': ${error instanceof Error ? error.message : String(error)}`,
        },
        { cause: error },
      )
    }
  }

  return {
    name: `transformers:${model}`,
    async embed(texts) {
      loading ??= load()
      loading.catch(() => {
        loading = undefined
      })
      const extractor = await loading
      const vectors: Float32Array[] = []
      for (let start = 0; start < texts.length; start += batchSize) {
        const batch = texts.slice(start, start + batchSize)
        const output = await extractor([...batch], { pooling: options.pooling ?? 'mean', normalize: true })
        const [rows, dimensions] = output.dims
        if (rows !== batch.length || !dimensions)
          throw new Error(`unexpected output shape [${output.dims.join(', ')}]`)
        for (let row = 0; row < rows; row++)
          vectors.push(
            Float32Array.from({ length: dimensions }, (_, i) => Number(output.data[row * dimensions + i])),
          )
      }
      return vectors
    },
    async close() {
      const pending = loading
      loading = undefined
      if (pending) await (await pending.catch(() => undefined))?.dispose?.()
    },
  }
}
