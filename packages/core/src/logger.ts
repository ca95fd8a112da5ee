/** The structured logger the engine and plugins write to. Nothing is logged per request by default. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }
const noop = () => {}

/** A logger writing to the console from `level` up (the default logger uses `warn`). */
export function consoleLogger(level: LogLevel = 'warn'): Logger {
  const threshold = LEVELS[level]
  const at = (name: Exclude<LogLevel, 'silent'>, write: (...args: unknown[]) => void) =>
    LEVELS[name] >= threshold
      ? (message: string, fields?: Record<string, unknown>) =>
          fields === undefined ? write(`[ixp] ${message}`) : write(`[ixp] ${message}`, fields)
      : noop
  return {
    debug: at('debug', console.debug),
    info: at('info', console.info),
    warn: at('warn', console.warn),
    error: at('error', console.error),
  }
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop }
