/** Reconnection delays: exponential backoff with jitter, so clients dropped together do not return together. */

export interface ReconnectOptions {
  /** Delay before the first retry, in ms. @default 500 */
  initialDelayMs?: number
  /** Longest delay between retries, in ms. @default 30_000 */
  maxDelayMs?: number
  /** Growth of the delay per failed attempt. @default 2 */
  factor?: number
  /** Share of each delay that is random (0: none, 1: anywhere from 0 to the delay). @default 0.5 */
  jitter?: number
  /** Attempts before giving up (`Infinity`: never). @default Infinity */
  maxAttempts?: number
}

export type ResolvedReconnect = Required<ReconnectOptions>

export function resolveReconnect(options: ReconnectOptions | false | undefined): ResolvedReconnect {
  if (options === false) {
    return { initialDelayMs: 0, maxDelayMs: 0, factor: 1, jitter: 0, maxAttempts: 0 }
  }
  const resolved = {
    initialDelayMs: 500,
    maxDelayMs: 30_000,
    factor: 2,
    jitter: 0.5,
    maxAttempts: Number.POSITIVE_INFINITY,
    ...options,
  }
  if (!(resolved.jitter >= 0 && resolved.jitter <= 1))
    throw new RangeError('reconnect.jitter must be from 0 to 1')
  if (!(resolved.factor >= 1)) throw new RangeError('reconnect.factor must be ≥ 1')
  if (!(resolved.initialDelayMs >= 0 && resolved.maxDelayMs >= resolved.initialDelayMs)) {
    throw new RangeError('reconnect delays must be ≥ 0, maxDelayMs ≥ initialDelayMs')
  }
  return resolved
}

/** The delay before retry number `attempt` (0 for the first). */
export function backoffDelay(options: ResolvedReconnect, attempt: number, random = Math.random): number {
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** attempt)
  return Math.round(base * (1 - options.jitter * random()))
}
