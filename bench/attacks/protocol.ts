/** The messages between the attacks benchmark and the child process that runs one scenario on one tree. */

/** Scenarios whose child serves HTTP and the parent attacks it. */
export const SERVER_SCENARIOS = ['proxy', 'slow', 'malformed'] as const
/** Scenarios the child runs by itself and reports on. */
export const SELF_SCENARIOS = ['jwt', 'totp', 'workflow', 'redis', 'listener'] as const

export type ServerScenario = (typeof SERVER_SCENARIOS)[number]
export type SelfScenario = (typeof SELF_SCENARIOS)[number]
export type Scenario = ServerScenario | SelfScenario

/** Child → parent. */
export type ChildMessage =
  | { type: 'listening'; port: number; config: string }
  /** Resident memory, and the part of it in Buffers and ArrayBuffers (where request bodies are held). */
  | { type: 'memory'; rss: number; buffers: number }
  | { type: 'progress'; done: number }
  /** Figures so far, in case the child does not live to send its result. */
  | { type: 'partial'; figures: Record<string, unknown> }
  /** A process the child started and the parent must stop if the child dies first. */
  | { type: 'spawned'; pid: number }
  /** That process has exited and was reaped (its pid may belong to another process from now on). */
  | { type: 'reaped'; pid: number }
  | { type: 'result'; result: Record<string, unknown> }

/** Parent → child. */
export type ParentMessage = { type: 'memory' } | { type: 'stop' }

export const CHILD_FLAG = 'IXP_ATTACKS_BENCH_CHILD'
