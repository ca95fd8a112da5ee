/** Messages between the cluster primary and its workers. */
import type { ReloadOutcome } from './reload.js'

/** Set in a worker's environment: run as a cluster worker. */
export const WORKER_ENV = 'IXP_CLUSTER_WORKER'

export interface WorkerFacts {
  port: number
  intents: number
  components: number
  plugins: string[]
}

export type ToWorker = { ixp: 'reload'; id: number; files: string[] } | { ixp: 'shutdown' }

export type ToPrimary =
  | { ixp: 'ready'; facts: WorkerFacts }
  | { ixp: 'reloaded'; id: number; outcomes: ReloadOutcome[] }
  | { ixp: 'failed'; message: string }

export function isMessage<T extends { ixp: string }>(value: unknown): value is T {
  return typeof value === 'object' && value !== null && typeof (value as { ixp?: unknown }).ixp === 'string'
}
