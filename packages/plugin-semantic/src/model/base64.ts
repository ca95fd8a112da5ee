/**
 * Typed arrays ↔ base64, little-endian whatever the platform, with no Node built-ins (serialised models
 * load on edge runtimes too).
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const LOOKUP = new Uint8Array(128).fill(255)
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i

export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = []
  const CHUNK = 3 * 4096
  for (let offset = 0; offset < bytes.length; offset += CHUNK) {
    const end = Math.min(bytes.length, offset + CHUNK)
    let out = ''
    for (let i = offset; i < end; i += 3) {
      const a = bytes[i]!
      const b = i + 1 < end ? bytes[i + 1]! : 0
      const c = i + 2 < end ? bytes[i + 2]! : 0
      const triple = (a << 16) | (b << 8) | c
      out += ALPHABET[(triple >> 18) & 63]! + ALPHABET[(triple >> 12) & 63]!
      out += i + 1 < end ? ALPHABET[(triple >> 6) & 63]! : '='
      out += i + 2 < end ? ALPHABET[triple & 63]! : '='
    }
    parts.push(out)
  }
  return parts.join('')
}

/** Decodes base64; returns `undefined` when the text is not valid base64. */
export function base64ToBytes(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  const bytes = new Uint8Array((text.length / 4) * 3 - padding)
  let p = 0
  for (let i = 0; i < text.length; i += 4) {
    let triple = 0
    for (let k = 0; k < 4; k++) {
      const code = text.charCodeAt(i + k)
      if (code === 61 && i + k >= text.length - padding) {
        triple <<= 6
        continue
      }
      const value = code < 128 ? LOOKUP[code]! : 255
      if (value === 255) return undefined
      triple = (triple << 6) | value
    }
    if (p < bytes.length) bytes[p++] = (triple >> 16) & 255
    if (p < bytes.length) bytes[p++] = (triple >> 8) & 255
    if (p < bytes.length) bytes[p++] = triple & 255
  }
  return bytes
}

type NumericArray = Float32Array | Int32Array | Uint32Array | Uint16Array

function toBytes(array: NumericArray): Uint8Array {
  const size = array.BYTES_PER_ELEMENT
  const bytes = new Uint8Array(array.length * size)
  const view = new DataView(bytes.buffer)
  for (let i = 0; i < array.length; i++) {
    const value = array[i]!
    if (array instanceof Float32Array) view.setFloat32(i * 4, value, true)
    else if (array instanceof Int32Array) view.setInt32(i * 4, value, true)
    else if (array instanceof Uint32Array) view.setUint32(i * 4, value, true)
    else view.setUint16(i * 2, value, true)
  }
  return bytes
}

export function encodeArray(array: NumericArray): string {
  return bytesToBase64(toBytes(array))
}

export function decodeFloat32(text: string): Float32Array | undefined {
  const bytes = base64ToBytes(text)
  if (!bytes || bytes.length % 4 !== 0) return undefined
  const view = new DataView(bytes.buffer)
  const out = new Float32Array(bytes.length / 4)
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true)
  return out
}

export function decodeInt32(text: string): Int32Array | undefined {
  const bytes = base64ToBytes(text)
  if (!bytes || bytes.length % 4 !== 0) return undefined
  const view = new DataView(bytes.buffer)
  const out = new Int32Array(bytes.length / 4)
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true)
  return out
}

export function decodeUint32(text: string): Uint32Array | undefined {
  const bytes = base64ToBytes(text)
  if (!bytes || bytes.length % 4 !== 0) return undefined
  const view = new DataView(bytes.buffer)
  const out = new Uint32Array(bytes.length / 4)
  for (let i = 0; i < out.length; i++) out[i] = view.getUint32(i * 4, true)
  return out
}

export function decodeUint16(text: string): Uint16Array | undefined {
  const bytes = base64ToBytes(text)
  if (!bytes || bytes.length % 2 !== 0) return undefined
  const view = new DataView(bytes.buffer)
  const out = new Uint16Array(bytes.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = view.getUint16(i * 2, true)
  return out
}
