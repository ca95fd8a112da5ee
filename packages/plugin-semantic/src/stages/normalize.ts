/** Lower-cases, folds `_`, `-`, `.` and runs of spaces into one space, and drops end punctuation. */
export function normalizePhrase(text: string): string {
  return text
    .toLowerCase()
    .replace(/[_\-.]+/g, ' ')
    .replace(/[?!.,;:]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim()
}
