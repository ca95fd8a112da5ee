/** Words with their offsets, and the word shapes the sequence tagger generalises from. */

export interface Token {
  /** As typed. */
  text: string
  /** Lower-cased. */
  lower: string
  start: number
  end: number
}

/**
 * Characters of a text the slot and name taggers read (the classifier's default `features.maxChars`): a huge
 * query costs no more than this many, and values past it are not looked for.
 */
export const MAX_TAGGED_CHARS = 1000

/** The part of a text the taggers read: its first {@link MAX_TAGGED_CHARS} characters. */
export function taggedPart(text: string): string {
  return text.length > MAX_TAGGED_CHARS ? text.slice(0, MAX_TAGGED_CHARS) : text
}

// A word (letters and digits, an apostrophe inside it) or one other non-space character.
const TOKEN = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*|[^\s\p{L}\p{N}]/gu

export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  for (const match of text.matchAll(TOKEN)) {
    const value = match[0]
    tokens.push({
      text: value,
      lower: value.toLowerCase(),
      start: match.index!,
      end: match.index! + value.length,
    })
  }
  return tokens
}

/** `Daft` → `Xx`, `TE-101` parts → `X`/`d`, `iPhone` → `xXx`: runs of one character class collapsed. */
export function shapeOf(word: string): string {
  let shape = ''
  let last = ''
  for (let i = 0; i < word.length; i++) {
    const code = word.charCodeAt(i)
    const char = word[i]!
    const kind =
      code >= 48 && code <= 57
        ? 'd'
        : code >= 65 && code <= 90
          ? 'X'
          : code >= 97 && code <= 122
            ? 'x'
            : code < 128
              ? char
              : char.toLowerCase() !== char
                ? 'X'
                : char.toUpperCase() !== char
                  ? 'x'
                  : /\p{N}/u.test(char)
                    ? 'd'
                    : char
    if (kind !== last) shape += kind
    last = kind
  }
  return shape
}
