/**
 * One serving process (the only one, or a cluster worker): builds the engine, listens, reloads watched files,
 * and on a shutdown signal (or the primary's request) stops accepting, lets requests in flight finish within
 * the deadline, closes the engine and its plugins, and resolves with the exit status.
 */
import type { AddressInfo } from 'node:net'
import { isIxpError } from '@ixp/core'
import type { Engine } from '@ixp/core'
import { createNodeServer, type IxpNodeServer } from '@ixp/plugin-http/node'
import { cliError } from '../errors.js'
import { println, type CliIo } from '../io.js'
import type { ResolvedConfig } from '../config/load.js'
import { printBanner } from './banner.js'
import { buildEngine } from './engine.js'
import { isMessage, type ToPrimary, type ToWorker } from './messages.js'
import type { DefinitionRegistrar } from './registrar.js'
import { describeOutcome, reloadChanged } from './reload.js'
import type { ServeSettings } from './settings.js'
import { onShutdownSignal } from './signals.js'
import { watchFiles, type FileWatcher } from './watch.js'

export type ServerRole = 'single' | 'worker'

function listen(server: IxpNodeServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening)
      const where = `${host}:${port}`
      const reason =
        error.code === 'EADDRINUSE'
          ? `${where} is already in use; stop the other server or choose another --port`
          : error.code === 'EACCES'
            ? `no permission to listen on ${where}; use a port above 1023`
            : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
              ? `${host} is not an address of this machine; check --host`
              : `cannot listen on ${where}: ${error.message}`
      reject(cliError('LISTEN_FAILED', { reason }, { cause: error }))
    }
    const onListening = () => {
      server.off('error', onError)
      resolve()
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(port, host)
  })
}

function createServer(engine: Engine, resolved: ResolvedConfig, settings: ServeSettings): IxpNodeServer {
  const options = resolved.http.handler ?? {}
  const cors =
    settings.cors === undefined
      ? options.cors
      : { ...(options.cors || {}), origins: settings.cors.includes('*') ? ('*' as const) : settings.cors }
  return createNodeServer(engine, {
    ...options,
    basePath: settings.base,
    ...(cors === undefined ? {} : { cors }),
  })
}

/** Serializes reloads: a change arriving during a reload waits for it. */
function reloadQueue(registrar: DefinitionRegistrar, settings: ServeSettings) {
  let last: Promise<unknown> = Promise.resolve()
  return (files: string[]) => {
    const next = last.then(() => reloadChanged(registrar, files, settings.files))
    last = next.catch(() => undefined)
    return next
  }
}

export async function runServer(
  resolved: ResolvedConfig,
  settings: ServeSettings,
  io: CliIo,
  role: ServerRole,
): Promise<number> {
  // The primary may ask a worker to stop while it is still starting: remember it and stop once listening.
  let stopRequested: string | undefined
  const early = (message: unknown) => {
    if (isMessage<ToWorker>(message) && message.ixp === 'shutdown') stopRequested = 'shutdown requested'
  }
  const earlyDisconnect = () => (stopRequested = 'primary process gone')
  if (role === 'worker') {
    process.on('message', early)
    process.on('disconnect', earlyDisconnect)
  }
  try {
    return await serve(resolved, settings, io, role, () => stopRequested)
  } finally {
    process.off('message', early)
    process.off('disconnect', earlyDisconnect)
  }
}

async function serve(
  resolved: ResolvedConfig,
  settings: ServeSettings,
  io: CliIo,
  role: ServerRole,
  stopRequested: () => string | undefined,
): Promise<number> {
  const { engine, registrar } = await buildEngine(resolved, io.cwd)
  let server: IxpNodeServer
  try {
    server = createServer(engine, resolved, settings)
    await listen(server, settings.port, settings.host)
  } catch (error) {
    await engine.close().catch(() => undefined)
    throw error
  }
  const port = (server.address() as AddressInfo).port
  const reload = reloadQueue(registrar, settings)
  let watcher: FileWatcher | undefined

  if (role === 'single') {
    // Watch before announcing the URL: a change made right after the announcement must not be missed.
    if (settings.watch) {
      watcher = watchFiles(
        [...settings.files.keys()],
        (changed) => {
          void reload(changed).then((outcomes) => {
            for (const outcome of outcomes) {
              const { ok, lines } = describeOutcome(outcome, io.cwd)
              for (const line of lines) println(ok ? io.stdout : io.stderr, line)
            }
          })
        },
        { onError: (error) => println(io.stderr, `ixp: watching failed: ${error.message}`) },
      )
    }
    printBanner(io, {
      host: settings.host,
      port,
      base: settings.base,
      intents: engine.intents.size,
      components: engine.components.size,
      plugins: engine.plugins.map((plugin) => plugin.name),
      workers: 1,
      watched: settings.watch ? [...settings.files.keys()] : [],
      cwd: io.cwd,
    })
  } else {
    const facts = {
      port,
      intents: engine.intents.size,
      components: engine.components.size,
      plugins: engine.plugins.map((plugin) => plugin.name),
    }
    process.send?.({ ixp: 'ready', facts } satisfies ToPrimary)
  }

  return new Promise<number>((resolve) => {
    let stopping = false
    const stop = async (reason: string) => {
      if (stopping) return
      stopping = true
      watcher?.close()
      if (role === 'single') {
        println(
          io.stdout,
          `${reason}: finishing requests in flight (at most ${settings.shutdownTimeoutMs} ms)…`,
        )
      }
      let code = 0
      await server.closeGracefully(settings.shutdownTimeoutMs)
      try {
        await engine.close()
      } catch (error) {
        code = 1
        println(
          io.stderr,
          `ixp: error while closing plugins: ${isIxpError(error) || error instanceof Error ? error.message : String(error)}`,
        )
      }
      removeSignals()
      process.off('message', onMessage)
      process.off('disconnect', onDisconnect)
      if (role === 'single') println(io.stdout, 'Stopped')
      resolve(code)
    }
    const removeSignals = onShutdownSignal(io, (signal) => void stop(`${signal} received`))
    const onMessage = (message: unknown) => {
      if (!isMessage<ToWorker>(message)) return
      if (message.ixp === 'shutdown') void stop('shutdown requested')
      else if (message.ixp === 'reload') {
        void reload(message.files).then((outcomes) => {
          process.send?.({ ixp: 'reloaded', id: message.id, outcomes } satisfies ToPrimary)
        })
      }
    }
    // A worker whose primary is gone has nobody to answer to: stop like on a signal.
    const onDisconnect = () => void stop('primary process gone')
    if (role === 'worker') {
      process.on('message', onMessage)
      process.on('disconnect', onDisconnect)
      const requested = stopRequested()
      if (requested) void stop(requested)
    }
  })
}
