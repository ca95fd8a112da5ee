/**
 * Error reporting for the answers the handler sends: each error answer is classified (core's category and
 * severity table), handed to the `onError` option with its error id and request context, counted for
 * `/metrics` (by the collector), and — for internal errors — kept among the last few for `/health`. The log line of an unexpected
 * error is throttled: the same code and message is written once per `LOG_WINDOW_MS`, then once more with how
 * many times it repeated, so a failure hit by every request does not flood the log.
 */
import type { Logger } from '@ixp/core'
import { classifyError, type ErrorCategory, type ErrorSeverity } from '@ixp/core/plugin-kit'

/** What `onError` receives for every error answer. */
export interface ErrorReport {
  /** The id in the answer's `details.errorId` for unexpected errors; a fresh one otherwise. */
  errorId: string
  code: string
  status: number
  category: ErrorCategory
  severity: ErrorSeverity
  /** The message sent to the caller (the generic one for unexpected errors). */
  message: string
  request: { method: string; path: string; requestId: string | undefined; ip: string | undefined }
  timestamp: string
}

/** Called for every error answer; it must not throw (a throwing reporter is logged and ignored). */
export type ErrorReporter = (report: ErrorReport) => void

/** One of the last internal errors, as `/health` shows it (ids and codes, never messages or stacks). */
export interface RecentError {
  errorId: string
  code: string
  at: string
}

/** How many internal errors `/health` lists. */
const RECENT = 20
/** Identical log lines are written at most once per this window. */
export const LOG_WINDOW_MS = 60_000

export class ErrorLog {
  readonly #onError: ErrorReporter | undefined
  readonly #logger: Logger
  readonly #recent: RecentError[] = []
  /** Log line key → when it was last written and how often it was held back since. */
  readonly #lines = new Map<string, { at: number; held: number }>()

  constructor(logger: Logger, onError: ErrorReporter | undefined) {
    this.#logger = logger
    this.#onError = onError
  }

  /** Classifies and reports one error answer. */
  report(
    answer: { errorId: string | undefined; code: string; status: number; message: string },
    request: ErrorReport['request'],
  ): void {
    const { category, severity } = classifyError(answer.code, answer.status)
    const errorId = answer.errorId ?? crypto.randomUUID()
    const timestamp = new Date().toISOString()
    if (category === 'internal') {
      this.#recent.push({ errorId, code: answer.code, at: timestamp })
      if (this.#recent.length > RECENT) this.#recent.shift()
    }
    if (this.#onError === undefined) return
    try {
      const { code, status, message } = answer
      this.#onError({ errorId, code, status, category, severity, message, request, timestamp })
    } catch (error) {
      this.log('the onError reporter threw', { error: (error as Error)?.message })
    }
  }

  /** Writes an error line unless the same line was written within the window (then counts it). */
  log(message: string, fields: Record<string, unknown>): void {
    const key = `${message}\u0000${String(fields.code)}\u0000${String(fields.message ?? fields.error)}`
    const now = Date.now()
    const seen = this.#lines.get(key)
    if (seen !== undefined && now - seen.at < LOG_WINDOW_MS) {
      seen.held++
      return
    }
    if (this.#lines.size >= 1000 && seen === undefined) this.#lines.clear()
    this.#lines.set(key, { at: now, held: 0 })
    const repeated = seen?.held ?? 0
    try {
      this.#logger.error(message, repeated > 0 ? { ...fields, repeated } : fields)
    } catch {
      // A logger that throws must not turn an error answer into no answer.
    }
  }

  /** The last internal errors, newest last. */
  recent(): RecentError[] {
    return [...this.#recent]
  }

  /** The engine's logger with its `error` lines throttled like {@link ErrorLog.log}. */
  logger(): Logger {
    const logger = this.#logger
    // A logger that throws must not turn an error answer into no answer.
    const quiet =
      (level: 'debug' | 'info' | 'warn') => (message: string, fields?: Record<string, unknown>) => {
        try {
          logger[level](message, fields)
        } catch {
          // Nothing better to do with a broken logger than to keep answering.
        }
      }
    return {
      debug: quiet('debug'),
      info: quiet('info'),
      warn: quiet('warn'),
      error: (message, fields) => this.log(message, fields ?? {}),
    }
  }
}
