/**
 * Extracts the ```ts blocks of a README. A block may be preceded by an HTML comment (invisible on GitHub and
 * npm) that says how to check it:
 *
 *   <!-- snippet
 *   declare const engine: import('@ixp/core').Engine   ← prelude: compiled before the block, not shown
 *   -->
 *   <!-- snippet run -->                                ← also run it: every `console.log(…) // → text` line
 *                                                         must print `text`, in order
 *
 * In a prelude, the lines after `// @file name.ts` are written to that file next to the block instead (a local
 * module the block imports, e.g. `./definitions.js`).
 */
export interface Snippet {
  /** 1-based line of the opening fence in the README. */
  line: number
  code: string
  prelude: string
  /** Local modules the block imports: file name → content. */
  files: Record<string, string>
  run: boolean
  /** What the `// → …` comments of console.log lines say the block prints, in order. */
  expected: string[]
}

const FENCE = /^```(ts|typescript)\s*$/
const DIRECTIVE = /<!--\s*snippet(\s+run)?\b([\s\S]*?)-->\s*$/

export function extractSnippets(markdown: string): Snippet[] {
  const lines = markdown.split('\n')
  const snippets: Snippet[] = []
  for (let index = 0; index < lines.length; index++) {
    if (!FENCE.test(lines[index]!)) continue
    const start = index
    const body: string[] = []
    for (index++; index < lines.length && !/^```\s*$/.test(lines[index]!); index++) body.push(lines[index]!)
    // The directive is the HTML comment ending on the last non-blank line before the fence.
    let before = start - 1
    while (before >= 0 && lines[before]!.trim() === '') before--
    let prelude = ''
    let run = false
    if (before >= 0 && lines[before]!.trimEnd().endsWith('-->')) {
      let open = before
      while (open > 0 && !lines[open]!.includes('<!--')) open--
      const match = DIRECTIVE.exec(lines.slice(open, before + 1).join('\n'))
      if (match) {
        run = match[1] !== undefined
        prelude = match[2]!.trim()
      }
    }
    const expected = body
      .filter((line) => line.includes('console.log(') && line.includes('// → '))
      .map((line) => line.slice(line.indexOf('// → ') + 5).trim())
    const [own, ...sections] = prelude.split(/^\/\/ @file /m)
    const files = Object.fromEntries(
      sections.map((section) => {
        const newline = section.indexOf('\n')
        return [section.slice(0, newline).trim(), section.slice(newline + 1)]
      }),
    )
    snippets.push({ line: start + 1, code: body.join('\n'), prelude: own!.trim(), files, run, expected })
  }
  return snippets
}
