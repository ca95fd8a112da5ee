/**
 * Watches definition files and reports, debounced, which of them changed. Directories are watched rather than
 * the files themselves: editors that save by writing a new file and renaming it over the old one would
 * otherwise leave a watcher on a deleted inode.
 */
import { watch, type FSWatcher } from 'node:fs'
import { basename, dirname, join } from 'node:path'

export interface FileWatcherOptions {
  /** Quiet period after the last change before `onChange` runs, in milliseconds. @default 100 */
  debounceMs?: number
  /** Receives watcher failures (a watched directory removed, …). @default ignores them */
  onError?: (error: Error) => void
}

export interface FileWatcher {
  close(): void
}

/** Calls `onChange` with the changed files (a subset of `files`) once they have been quiet for a moment. */
export function watchFiles(
  files: string[],
  onChange: (changed: string[]) => void,
  options: FileWatcherOptions = {},
): FileWatcher {
  const debounceMs = options.debounceMs ?? 100
  const byDirectory = new Map<string, Set<string>>()
  for (const file of files) {
    const names = byDirectory.get(dirname(file)) ?? new Set<string>()
    names.add(basename(file))
    byDirectory.set(dirname(file), names)
  }
  const pending = new Set<string>()
  let timer: ReturnType<typeof setTimeout> | undefined
  const flush = () => {
    timer = undefined
    const changed = files.filter((file) => pending.has(file))
    pending.clear()
    if (changed.length > 0) onChange(changed)
  }
  const watchers: FSWatcher[] = []
  for (const [directory, names] of byDirectory) {
    const watcher = watch(directory, { persistent: true }, (_event, filename) => {
      // Some platforms do not name the file: treat every watched file of the directory as changed.
      const touched = filename ? [filename.toString()].filter((name) => names.has(name)) : [...names]
      if (touched.length === 0) return
      for (const name of touched) pending.add(join(directory, name))
      clearTimeout(timer)
      timer = setTimeout(flush, debounceMs)
    })
    watcher.on('error', (error) => options.onError?.(error))
    watchers.push(watcher)
  }
  return {
    close() {
      clearTimeout(timer)
      for (const watcher of watchers) watcher.close()
    },
  }
}
