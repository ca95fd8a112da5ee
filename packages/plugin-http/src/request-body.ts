/**
 * Turns a transport request's body into a safe JSON object, in the order the policy asks for: no body → 400,
 * not JSON → 415, declared or streamed size over the limit → 413, then the JSON checks (400).
 */
import { assertJsonMediaType, payloadTooLarge } from './body.js'
import { coreError } from '@ixp/core'
import type { TransportRequest } from './exchange.js'
import { assertSafeValue, parseJsonObject, requireObject } from './json.js'

export interface BodyLimits {
  bodyLimit: number
  maxJsonDepth: number
}

/** The body as a JSON object: at once when the transport already read it, else when it has arrived. */
export function readJsonObject(
  request: TransportRequest,
  limits: BodyLimits,
): Record<string, unknown> | Promise<Record<string, unknown>> {
  const { body } = request
  const parsed = body.parsed
  if (!body.present && !parsed) {
    throw coreError('INVALID_REQUEST', {
      reason: 'A JSON body is required; send a JSON object with Content-Type: application/json',
    })
  }
  assertJsonMediaType(request.header('content-type'))
  if (body.length !== undefined && body.length > limits.bodyLimit) throw payloadTooLarge(limits.bodyLimit)
  if (parsed) {
    const value = requireObject(parsed.value)
    assertSafeValue(value, limits.maxJsonDepth)
    return value
  }
  const text = body.text(limits.bodyLimit)
  const maxDepth = limits.maxJsonDepth
  return typeof text === 'string'
    ? parseJsonObject(text, maxDepth)
    : text.then((arrived) => parseJsonObject(arrived, maxDepth))
}
