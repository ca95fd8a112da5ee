/** Runs the `response` taps over an answer's headers (only when some plugin tapped it). */
import type { Logger } from '@ixp/core'
import { safeLog } from './error-body.js'
import { toRecord, type HeaderList } from './headers.js'
import { tapsOf, type HttpHooks, type HttpResponseHeaders, type HttpResponseInfo } from './plugin-hooks.js'

// Header names and values must survive every transport unchanged.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

type ResponseTap = (headers: HttpResponseHeaders, info: HttpResponseInfo) => HttpResponseHeaders

/**
 * The headers after every `response` tap, in tap order. A tap that throws or returns something other than a
 * record is skipped (and logged): a decoration must not cost the answer. Invalid names or values are dropped.
 */
export function decorateHeaders(
  hooks: HttpHooks,
  list: HeaderList,
  info: HttpResponseInfo,
  logger: Logger,
): HeaderList {
  let headers = toRecord(list)
  for (const tap of tapsOf<ResponseTap>(hooks.response)) {
    try {
      const returned = tap.fn(headers, info)
      if (typeof returned === 'object' && returned !== null) headers = returned
      else safeLog(logger, `response tap '${tap.name}' returned no headers; its change is ignored`, {})
    } catch (error) {
      safeLog(logger, `response tap '${tap.name}' threw; its change is ignored`, {
        error: (error as Error)?.message,
      })
    }
  }
  const decorated: HeaderList = []
  for (const name in headers) {
    const value = headers[name]
    const lower = name.toLowerCase()
    if (typeof value === 'string' && TOKEN.test(lower) && HEADER_VALUE.test(value))
      decorated.push(lower, value)
  }
  return decorated
}
