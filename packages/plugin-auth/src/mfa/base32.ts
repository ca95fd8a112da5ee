/** RFC 4648 base32, the encoding authenticator apps expect for TOTP secrets. */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** Encodes bytes as unpadded upper-case base32 (what `otpauth://` URIs carry). */
export function base32Encode(bytes: Uint8Array): string {
  let output = ''
  let buffer = 0
  let bits = 0
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte
    bits += 8
    while (bits >= 5) {
      output += ALPHABET[(buffer >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) output += ALPHABET[(buffer << (5 - bits)) & 31]
  return output
}

/**
 * Decodes base32, forgiving what people type or apps display: lower case, spaces, dashes and `=` padding.
 * Returns `undefined` for any other character.
 */
export function base32Decode(text: string): Uint8Array<ArrayBuffer> | undefined {
  const cleaned = text.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase()
  const bytes = new Uint8Array(Math.floor((cleaned.length * 5) / 8))
  let buffer = 0
  let bits = 0
  let index = 0
  for (const char of cleaned) {
    const value = ALPHABET.indexOf(char)
    if (value === -1) return undefined
    buffer = ((buffer << 5) | value) & 0xffff
    bits += 5
    if (bits >= 8) {
      bytes[index++] = (buffer >>> (bits - 8)) & 0xff
      bits -= 8
    }
  }
  return bytes
}
