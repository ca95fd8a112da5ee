/**
 * `ixp serve --workers n`: the primary forks n workers that share the port (node:cluster), prints the banner
 * once they all listen, replaces a worker that dies, watches the definition files for all of them, and on
 * SIGINT/SIGTERM asks each to shut down gracefully and exits when they are all gone.
 */
import cluster, { type Worker } from 'node:cluster'
import { println, type CliIo } from '../io.js'
import { printBanner } from './banner.js'
import { isMessage, WORKER_ENV, type ToPrimary, type ToWorker, type WorkerFacts } from './messages.js'
import { checkChanged, describeOutcome } from './reload.js'
import type { ServeSettings } from './settings.js'
import { onShutdownSignal } from './signals.js'
import { watchFiles, type FileWatcher } from './watch.js'

/** A burst of this many unexpected worker exits within the window stops the server instead of respawning. */
const MAX_RESTARTS = 5
const RESTART_WINDOW_MS = 30_000
/** Grace added to the shutdown deadline before workers that did not exit are killed. */
const KILL_GRACE_MS = 5_000

export async function runPrimary(settings: ServeSettings, argv: string[], io: CliIo): Promise<number> {
  cluster.setupPrimary({ args: ['serve', ...argv] })
  const workers = new Set<Worker>()
  const ready = new Set<Worker>()
  let facts: WorkerFacts | undefined
  let watcher: FileWatcher | undefined
  let bannerShown = false
  let shuttingDown = false
  let exitCode = 0
  const restarts: number[] = []
  let reloadId = 0
  const pendingReloads = new Map<number, { waiting: Set<Worker>; lines: Set<string>; failed: boolean }>()

  let finish!: (code: number) => void
  const finished = new Promise<number>((resolve) => (finish = resolve))

  const send = (worker: Worker, message: ToWorker) => {
    if (worker.isConnected()) worker.send(message)
  }

  const shutdown = (reason: string, code = 0) => {
    if (shuttingDown) return
    shuttingDown = true
    exitCode = Math.max(exitCode, code)
    watcher?.close()
    println(io.stdout, `${reason}: stopping ${workers.size} worker${workers.size === 1 ? '' : 's'}…`)
    for (const worker of workers) send(worker, { ixp: 'shutdown' })
    const killer = setTimeout(() => {
      for (const worker of workers) {
        println(io.stderr, `ixp: worker ${worker.process.pid} did not stop in time; killing it`)
        worker.process.kill('SIGKILL')
      }
    }, settings.shutdownTimeoutMs + KILL_GRACE_MS)
    killer.unref()
    if (workers.size === 0) finish(exitCode)
  }
  const removeSignals = onShutdownSignal(io, (signal) => shutdown(`${signal} received`))

  /** Prints a reload's outcome once every worker it was sent to answered (or is gone). */
  const settle = (id: number) => {
    const pending = pendingReloads.get(id)
    if (!pending || pending.waiting.size > 0) return
    pendingReloads.delete(id)
    const stream = pending.failed ? io.stderr : io.stdout
    for (const line of pending.lines) println(stream, line)
  }

  const onReloaded = (worker: Worker, message: ToPrimary & { ixp: 'reloaded' }) => {
    const pending = pendingReloads.get(message.id)
    if (!pending) return
    for (const outcome of message.outcomes) {
      const { ok, lines } = describeOutcome(outcome, io.cwd)
      if (!ok) pending.failed = true
      for (const line of lines) pending.lines.add(line)
    }
    pending.waiting.delete(worker)
    settle(message.id)
  }

  const startWatching = () => {
    if (!settings.watch) return
    watcher = watchFiles(
      [...settings.files.keys()],
      (changed) => {
        void checkChanged(changed, settings.files).then((outcomes) => {
          const good = new Set<string>()
          for (const outcome of outcomes) {
            if (outcome.ok) good.add(outcome.file)
            else for (const line of describeOutcome(outcome, io.cwd).lines) println(io.stderr, line)
          }
          // A file of both kinds is reloaded only when both parts are valid.
          for (const outcome of outcomes) if (!outcome.ok) good.delete(outcome.file)
          if (good.size === 0 || shuttingDown) return
          const id = ++reloadId
          pendingReloads.set(id, { waiting: new Set(ready), lines: new Set(), failed: false })
          for (const worker of ready) send(worker, { ixp: 'reload', id, files: [...good] })
        })
      },
      { onError: (error) => println(io.stderr, `ixp: watching failed: ${error.message}`) },
    )
  }

  const fork = () => {
    const worker = cluster.fork({ [WORKER_ENV]: '1' })
    workers.add(worker)
    worker.on('message', (message: unknown) => {
      if (!isMessage<ToPrimary>(message)) return
      if (message.ixp === 'ready') {
        ready.add(worker)
        facts ??= message.facts
        if (bannerShown && !shuttingDown) {
          // A replacement may have read the files before a reload it never heard of: bring it up to date.
          if (settings.watch) send(worker, { ixp: 'reload', id: 0, files: [...settings.files.keys()] })
          println(io.stdout, `worker ${worker.process.pid} is serving`)
        }
        if (bannerShown || ready.size < settings.workers || shuttingDown) return
        bannerShown = true
        // Watch before announcing the URL: a change made right after the announcement must not be missed.
        startWatching()
        printBanner(io, {
          host: settings.host,
          port: facts.port,
          base: settings.base,
          intents: facts.intents,
          components: facts.components,
          plugins: facts.plugins,
          workers: settings.workers,
          watched: settings.watch ? [...settings.files.keys()] : [],
          cwd: io.cwd,
        })
      } else if (message.ixp === 'reloaded') {
        onReloaded(worker, message)
      }
    })
    worker.on('exit', (code, signal) => {
      workers.delete(worker)
      const wasReady = ready.delete(worker)
      for (const [id, pending] of pendingReloads) {
        pending.waiting.delete(worker)
        settle(id)
      }
      if (shuttingDown) {
        if (code !== 0) exitCode = 1
        if (workers.size === 0) finish(exitCode)
        return
      }
      if (!wasReady) {
        shutdown(`A worker failed to start (exit ${code ?? signal})`, 1)
        return
      }
      const now = Date.now()
      restarts.push(now)
      while (restarts.length > 0 && restarts[0]! < now - RESTART_WINDOW_MS) restarts.shift()
      if (restarts.length > MAX_RESTARTS) {
        shutdown(`Workers keep dying (${restarts.length} in ${RESTART_WINDOW_MS / 1000}s)`, 1)
        return
      }
      println(
        io.stderr,
        `ixp: worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting a new one`,
      )
      fork()
    })
  }

  for (let index = 0; index < settings.workers; index++) fork()
  try {
    return await finished
  } finally {
    removeSignals()
  }
}
