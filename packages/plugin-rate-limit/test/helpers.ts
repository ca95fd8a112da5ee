import {
  createEngine,
  silentLogger,
  type IxpContext,
  type IxpPlugin,
  type Logger,
  type RenderResult,
} from '@ixp/core'
import type { LimitRule } from '../src/index.js'

/** Midnight UTC: a multiple of every window the tests use, so window edges are easy to reason about. */
export const T0 = Date.UTC(2030, 0, 1)

/** A clock the test moves by hand. */
export function manualClock(start = T0) {
  let now = start
  return {
    now: () => now,
    set: (value: number) => {
      now = value
    },
    advance: (ms: number) => {
      now += ms
    },
  }
}

export function rule(
  algorithm: LimitRule['algorithm'],
  limit: number,
  windowMs: number,
  burst?: number,
): LimitRule {
  return { algorithm, limit, windowMs, capacity: algorithm === 'token-bucket' ? (burst ?? limit) : limit }
}

/** A logger that keeps what it is told, to assert on warnings. */
export function recordingLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = []
  const at = (level: string) => (message: string) => {
    lines.push({ level, message })
  }
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/** An engine with two intents (`search`, `export_report`) rendered by one server component. */
export function makeEngine(plugins: IxpPlugin[], logger: Logger = silentLogger) {
  const engine = createEngine({ logger, plugins })
  engine.registerComponent({
    name: 'Card',
    render: (props) => ({ type: 'card', props: { text: String(props.q ?? '') }, children: [] }),
  })
  for (const name of ['search', 'export_report']) {
    engine.registerIntent({
      name,
      description: `The ${name} intent`,
      component: 'Card',
      parameters: { type: 'object', properties: { q: { type: 'string' } } },
    })
  }
  return engine
}

export type Outcome =
  | { ok: true; result: RenderResult }
  | {
      ok: false
      error: {
        code: string
        status: number
        headers?: Record<string, string>
        message: string
        details?: Record<string, unknown>
      }
    }

/** Renders and captures the outcome instead of throwing. */
export async function attempt(
  engine: ReturnType<typeof makeEngine>,
  context: IxpContext = {},
  intent = 'search',
): Promise<Outcome> {
  try {
    return {
      ok: true,
      result: await engine.render({ intent: { name: intent, parameters: { q: 'x' } } }, context),
    }
  } catch (error) {
    return { ok: false, error: error as Extract<Outcome, { ok: false }>['error'] }
  }
}
