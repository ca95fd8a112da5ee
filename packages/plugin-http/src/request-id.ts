/** Request ids: a sane id the client sent is kept; otherwise one is generated. */

/** A sane request id: visible ASCII, bounded (it is echoed in a header and written to logs). */
export const SANE_REQUEST_ID = /^[\x21-\x7e]{1,128}$/

/**
 * The default id generator: a random prefix per handler and a counter (`3f9a0c5e1b7d2a64-1`, `…-2`, …). As
 * unique across processes and restarts as a UUID (64 random bits tell handlers apart), at a fraction of a
 * UUID's cost per request: a request id correlates log lines, it is not a secret.
 */
export function sequentialRequestIds(): () => string {
  const prefix = `${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}-`
  let counter = 0
  return () => prefix + (++counter).toString(36)
}
