import type { CliIo } from '../src/io.js'
import { FIXTURES } from './helpers.js'

/** An in-memory `CliIo` for running commands in-process. */
export function captureIo(cwd = FIXTURES, env: Record<string, string | undefined> = {}) {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    cwd,
    env,
  }
  return {
    io,
    get stdout() {
      return stdout
    },
    get stderr() {
      return stderr
    },
  }
}
