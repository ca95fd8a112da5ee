/** Where a command writes and what it knows of its environment; tests pass their own. */
export interface CliIo {
  stdout: { write(text: string): unknown }
  stderr: { write(text: string): unknown }
  /** Directory relative paths are resolved against. */
  cwd: string
  env: Record<string, string | undefined>
}

/** The real process's streams, directory and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env }
}

/** Writes one line. */
export function println(stream: CliIo['stdout'], text = ''): void {
  stream.write(`${text}\n`)
}
