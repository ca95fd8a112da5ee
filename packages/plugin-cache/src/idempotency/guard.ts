/**
 * Idempotency keys for commands (the IETF `Idempotency-Key` header draft, as Stripe does it): a command
 * carrying a key runs once per key and caller within the window. A repeat with the same request gets the
 * stored answer marked `Idempotent-Replayed: true`; the same key with another request is `422`; a repeat while
 * the first still runs is `409`. Client errors (4xx) are kept like answers; server errors (5xx) are not, so a
 * retry runs the command again.
 *
 * Keys are never kept or logged as given: the record's name is the SHA-256 of the caller's scope and the key.
 */
import type { IxpContext, IxpError, Logger, RenderResult, RenderState } from '@ixp/core'
import { cacheError } from '../errors.js'
import { keyMaterial } from '../json.js'
import { scopeSegment, sha256 } from '../key.js'
import type { Settings } from '../options.js'
import { encodeError, encodeResult, replay } from './answer.js'
import { MemoryIdempotencyStore, type IdempotencyClaim, type IdempotencyStore } from './store.js'
import { withTimeout } from '@ixp/core/plugin-kit'

/** The request header (lower case, as transports hand headers over). */
export const IDEMPOTENCY_HEADER = 'idempotency-key'

// Visible ASCII only: a key is echoed nowhere, but it is hashed as text and must mean one thing.
const KEY_PATTERN = /^[\x21-\x7e]+$/

/** A command that claimed its key and has to complete or release it. */
interface Claimed {
  record: string
  token: string
  fingerprint: string
}

/** What the guard reports to the plugin (counted and emitted as `idempotency` events). */
export type IdempotencyOutcome = 'claimed' | 'replayed' | 'in-use' | 'mismatch' | 'stored' | 'released'

export interface GuardDeps {
  settings: Settings
  logger: () => Logger | undefined
  report: (outcome: IdempotencyOutcome, intent: string, record: string) => void
  fail: (operation: string, error: unknown) => void
}

/** The key a command was sent with, or `undefined` (no key: no idempotency). */
function keyOf(ctx: IxpContext): unknown {
  return ctx.idempotencyKey ?? ctx.headers?.[IDEMPOTENCY_HEADER]
}

export class IdempotencyGuard {
  readonly #deps: GuardDeps
  readonly #options: Required<NonNullable<Settings['idempotency']>>
  readonly #store: IdempotencyStore
  readonly #claims = new WeakMap<RenderState, Claimed>()

  constructor(deps: GuardDeps, options: Required<NonNullable<Settings['idempotency']>>) {
    this.#deps = deps
    this.#options = options
    this.#store =
      deps.settings.store?.idempotency ?? new MemoryIdempotencyStore(options.maxKeys, deps.settings.clock)
  }

  /** `beforeHandler` of a command: claims its key, or answers a repeat (or refuses it). */
  async before(state: RenderState): Promise<RenderResult | undefined> {
    const given = keyOf(state.context)
    if (given === undefined) return undefined
    const key = this.#checkKey(given)
    const identity = this.#deps.settings.identify(state.context)
    const scope = scopeSegment('user', identity) ?? 'anonymous'
    const record = await sha256(`${scope}\n${key}`)
    const fingerprint = await this.#fingerprint(state)
    const claim = await this.#call('claim', () =>
      this.#store.claim(record, fingerprint, this.#options.runningMs),
    )
    return this.#decide(state, claim, record, fingerprint)
  }

  #decide(
    state: RenderState,
    claim: IdempotencyClaim,
    record: string,
    fingerprint: string,
  ): RenderResult | undefined {
    const intent = state.intent.name
    if (claim.kind === 'claimed') {
      this.#claims.set(state, { record, token: claim.token, fingerprint })
      this.#deps.report('claimed', intent, record)
      return undefined
    }
    if (claim.fingerprint !== fingerprint) {
      this.#deps.report('mismatch', intent, record)
      throw cacheError('IDEMPOTENCY_KEY_MISMATCH')
    }
    if (claim.kind === 'running') {
      this.#deps.report('in-use', intent, record)
      throw cacheError('IDEMPOTENCY_KEY_IN_USE', {}, { headers: { 'retry-after': '1' } })
    }
    this.#deps.report('replayed', intent, record)
    const answer = replay(claim.answer, intent, state.meta)
    if (answer) return answer
    throw cacheError('IDEMPOTENCY_UNAVAILABLE', {
      reason: 'The stored answer of this Idempotency-Key is unreadable',
    })
  }

  /** `afterRender`: keeps the answer of a command that claimed its key. */
  async after(result: RenderResult, state: RenderState): Promise<void> {
    const claimed = this.#claims.get(state)
    if (!claimed) return
    this.#claims.delete(state)
    const answer = encodeResult(result)
    if (answer === undefined) {
      this.#deps
        .logger()
        ?.warn(
          `cache: the answer of command '${state.intent.name}' is not plain JSON, so its idempotency key is released`,
        )
      await this.#release(claimed, state.intent.name)
      return
    }
    await this.#complete(claimed, answer, state.intent.name)
  }

  /** The `error` hook: keeps a client error, releases the key on a server error. */
  async onError(error: IxpError, state: RenderState | undefined): Promise<void> {
    const claimed = state && this.#claims.get(state)
    if (!state || !claimed) return
    // Past its deadline (or its caller gone) the command may still finish: its late answer completes the
    // record (afterRender still runs); until then, or until `runningMs`, a repeat is told it is running.
    if (error.code === 'RENDER_TIMEOUT' || error.code === 'ABORTED') return
    this.#claims.delete(state)
    if (error.status >= 500) await this.#release(claimed, state.intent.name)
    else await this.#complete(claimed, encodeError(error), state.intent.name)
  }

  async #complete(claimed: Claimed, answer: string, intent: string): Promise<void> {
    try {
      await this.#call('complete', () =>
        this.#store.complete(
          claimed.record,
          claimed.token,
          claimed.fingerprint,
          answer,
          this.#options.windowMs,
        ),
      )
      this.#deps.report('stored', intent, claimed.record)
    } catch (error) {
      // The command ran; its caller gets its answer. A repeat sees it running until `runningMs` lapses.
      this.#deps.fail('idempotency.complete', error)
    }
  }

  async #release(claimed: Claimed, intent: string): Promise<void> {
    try {
      await this.#call('release', () => this.#store.release(claimed.record, claimed.token))
      this.#deps.report('released', intent, claimed.record)
    } catch (error) {
      this.#deps.fail('idempotency.release', error)
    }
  }

  #checkKey(given: unknown): string {
    const max = this.#options.maxKeyLength
    if (typeof given !== 'string' || given.length > max || !KEY_PATTERN.test(given)) {
      throw cacheError('IDEMPOTENCY_KEY_INVALID', {
        reason: `An Idempotency-Key must be 1 to ${max} visible ASCII characters (a UUID is a good key)`,
      })
    }
    return given
  }

  /** SHA-256 of what makes two requests the same: the intent, its validated parameters and its options. */
  async #fingerprint(state: RenderState): Promise<string> {
    const material = keyMaterial(
      'p',
      [state.intent.name, state.parameters ?? {}],
      undefined,
      state.request.options,
    )
    if (!material.ok) {
      throw cacheError('IDEMPOTENCY_KEY_INVALID', {
        reason: `A command sent with an Idempotency-Key needs plain JSON options (${material.problem.path}: ${material.problem.reason})`,
      })
    }
    return sha256(material.json)
  }

  /** One store call, bounded; a failure refuses the command rather than risk running it twice. */
  async #call<T>(operation: string, work: () => Promise<T>): Promise<T> {
    const timeoutMs = this.#deps.settings.storeTimeoutMs
    try {
      return await withTimeout(work(), timeoutMs, () => new Error(`took more than ${timeoutMs} ms`))
    } catch (error) {
      if (operation !== 'claim') throw error
      this.#deps.fail('idempotency.claim', error)
      throw cacheError(
        'IDEMPOTENCY_UNAVAILABLE',
        { reason: 'The idempotency records cannot be reached, so the command was not run; retry later' },
        { cause: error, headers: { 'retry-after': '1' } },
      )
    }
  }
}
