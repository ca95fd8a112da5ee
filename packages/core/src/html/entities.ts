/** Named references used to hide URL schemes; others are left encoded (they cannot form a scheme). */
const named: ReadonlyMap<string, string> = new Map(
  Object.entries({
    colon: ':',
    tab: '\t',
    newline: '\n',
    nbsp: '\u00a0',
    lpar: '(',
    rpar: ')',
    sol: '/',
    bsol: '\\',
    period: '.',
    comma: ',',
    semi: ';',
    excl: '!',
    num: '#',
    amp: '&',
    lt: '<',
    gt: '>',
    quot: '"',
    apos: "'",
    equals: '=',
    plus: '+',
    percnt: '%',
  }),
)

/**
 * Decodes character references the way a browser would in an attribute (numeric with or without `;`,
 * leading zeros, hex in any case; the named ones above in any case), so that obfuscated schemes can be
 * recognised. Only for inspection: output is always escaped anew.
 */
export function decodeEntities(text: string): string {
  return text.replace(
    /&(?:#(x[0-9a-f]+|\d+);?|([a-z]+);)/gi,
    (match, numeric: string | undefined, name: string | undefined) => {
      if (numeric !== undefined) {
        const codePoint =
          numeric[0] === 'x' || numeric[0] === 'X' ? parseInt(numeric.slice(1), 16) : parseInt(numeric, 10)
        return codePoint > 0 && codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : '\ufffd'
      }
      return named.get(name!.toLowerCase()) ?? match
    },
  )
}
