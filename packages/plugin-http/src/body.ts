/**
 * Request bodies: the media-type check (JSON only, UTF-8 only) and reading a web `ReadableStream` with a
 * byte limit that stops reading — and cancels the stream — the moment the limit is passed.
 */
import { coreError } from '@ixp/core'
import { httpError } from './errors.js'

const decoder = new TextDecoder('utf-8', { fatal: true })

/** A `Content-Length` of 1–15 digits as a number; anything else (absent, malformed) as `undefined`. */
export function declaredLength(value: string | null | undefined): number | undefined {
  if (value === undefined || value === null || value.length === 0 || value.length > 15) return undefined
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return undefined
  }
  return Number(value)
}

export function payloadTooLarge(limit: number) {
  return httpError('PAYLOAD_TOO_LARGE', { limit: `the limit of ${limit} bytes` }, { details: { limit } })
}

export function bodyTimedOut(timeoutMs: number) {
  return httpError(
    'REQUEST_TIMEOUT',
    { what: 'The request body', limit: `bodyTimeoutMs (${timeoutMs} ms)` },
    { details: { timeoutMs } },
  )
}

export function notUtf8() {
  return coreError('INVALID_REQUEST', { reason: 'The request body is not valid UTF-8' })
}

/**
 * Accepts `application/json` and `application/<anything>+json`, with no charset or a UTF-8 one.
 * Throws `UNSUPPORTED_MEDIA_TYPE` (415) for anything else, including a missing Content-Type.
 */
export function assertJsonMediaType(contentType: string | undefined): void {
  // What nearly every client sends.
  if (contentType === 'application/json' || contentType === 'application/json; charset=utf-8') return
  if (contentType === undefined || contentType === '') {
    throw httpError('UNSUPPORTED_MEDIA_TYPE', { given: 'A body without Content-Type' })
  }
  const semicolon = contentType.indexOf(';')
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase()
  const isJson = type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))
  if (!isJson) {
    throw httpError('UNSUPPORTED_MEDIA_TYPE', { given: `Content-Type '${type.slice(0, 100)}'` })
  }
  if (semicolon === -1) return
  const charset = /(?:^|;)\s*charset\s*=\s*"?([^";\s]+)"?/i
    .exec(contentType.slice(semicolon))?.[1]
    ?.toLowerCase()
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw httpError('UNSUPPORTED_MEDIA_TYPE', { given: `Charset '${charset.slice(0, 40)}'` })
  }
}

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes)
  } catch {
    throw notUtf8()
  }
}

/** Reads a body stream to text, stopping at `limit` bytes. */
export async function readStreamText(stream: ReadableStream<Uint8Array>, limit: number): Promise<string> {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    let result: ReadableStreamReadResult<Uint8Array>
    try {
      result = await reader.read()
    } catch {
      throw coreError('INVALID_REQUEST', { reason: 'The request body could not be read to its end' })
    }
    if (result.done) break
    const chunk = result.value
    size += chunk.byteLength
    if (size > limit) {
      reader.cancel().catch(() => undefined)
      throw payloadTooLarge(limit)
    }
    chunks.push(chunk)
  }
  if (chunks.length === 1) return decodeUtf8(chunks[0]!)
  const all = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    all.set(chunk, offset)
    offset += chunk.byteLength
  }
  return decodeUtf8(all)
}
