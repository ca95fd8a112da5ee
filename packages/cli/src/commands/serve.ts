/** `ixp serve` — serves a config's intents and components over HTTP (see `ixp serve --help`). */
import cluster from 'node:cluster'
import { createEngine, silentLogger } from '@ixp/core'
import { commandHelp, parseCommand, stringValue, type CommandSpec } from '../args.js'
import { findConfig, loadConfig, resolveConfig, type ResolvedConfig } from '../config/load.js'
import { usageError } from '../errors.js'
import type { CliIo } from '../io.js'
import { runPrimary } from '../serve/cluster.js'
import { readConfigFiles } from '../serve/engine.js'
import { WORKER_ENV } from '../serve/messages.js'
import { CONFIG_OWNER, DefinitionRegistrar } from '../serve/registrar.js'
import { runServer } from '../serve/run.js'
import { SERVE_DEFAULTS, serveSettings, withFlagFiles } from '../serve/settings.js'

export const serveSpec: CommandSpec = {
  name: 'serve',
  summary: 'Serve intents and components over HTTP (the IXP routes, via @ixp/plugin-http).',
  options: {
    config: {
      type: 'string',
      short: 'c',
      value: '<file>',
      default: 'ixp.config.{ts,mts,mjs,js,cjs,json} in the working directory',
      description: 'Config module: default export { intents, components, plugins, engine, http }',
    },
    intents: {
      type: 'string',
      value: '<file.json>',
      multiple: true,
      description: 'Reference-format intents file {"intents":[…]} (repeatable; added to the config)',
    },
    components: {
      type: 'string',
      value: '<file.json>',
      multiple: true,
      description: 'Reference-format components file {"components":{…}} (repeatable; added to the config)',
    },
    port: {
      type: 'string',
      short: 'p',
      value: '<n>',
      default: `http.port, else $PORT, else ${SERVE_DEFAULTS.port}`,
      description: 'Port to listen on (0 picks a free one)',
    },
    host: {
      type: 'string',
      value: '<address>',
      default: SERVE_DEFAULTS.host,
      description: 'Address to bind',
    },
    base: {
      type: 'string',
      value: '<path>',
      default: SERVE_DEFAULTS.base,
      description: 'Path the IXP routes are mounted under',
    },
    cors: {
      type: 'string',
      value: '<origin,…>',
      default: 'http://localhost:3000',
      description: "Comma-separated origins allowed by CORS ('*' for any)",
    },
    workers: {
      type: 'string',
      short: 'w',
      value: '<n|auto>',
      default: String(SERVE_DEFAULTS.workers),
      description: "Worker processes sharing the port (node:cluster); 'auto' = one per core",
    },
    watch: { type: 'boolean', description: 'Reload changed JSON definition files without a restart' },
    'shutdown-timeout': {
      type: 'string',
      value: '<ms>',
      default: String(SERVE_DEFAULTS.shutdownTimeoutMs),
      description: 'How long SIGINT/SIGTERM waits for requests in flight',
    },
  },
  notes: [
    "Flags override the config's `http` section. On SIGINT/SIGTERM the server stops accepting connections,",
    'finishes requests in flight (up to --shutdown-timeout), closes plugins and exits 0; a second signal exits at once.',
  ],
}

/** Checks every definition in a scratch engine without plugins, so a cluster does not fork n failing workers. */
async function preflight(resolved: ResolvedConfig, cwd: string): Promise<void> {
  const files = await readConfigFiles(resolved)
  const engine = createEngine({ logger: silentLogger })
  try {
    const registrar = new DefinitionRegistrar(engine, cwd)
    registrar.add('components', CONFIG_OWNER, resolved.components)
    for (const [file, definitions] of files.components) registrar.add('components', file, definitions)
    registrar.add('intents', CONFIG_OWNER, resolved.intents)
    for (const [file, definitions] of files.intents) registrar.add('intents', file, definitions)
  } finally {
    await engine.close()
  }
}

export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(serveSpec, argv)
  if (parsed.values.help) {
    io.stdout.write(commandHelp(serveSpec))
    return 0
  }
  const configFile = stringValue(parsed, 'config') ?? findConfig(io.cwd)
  const hasFiles = Boolean(parsed.values.intents || parsed.values.components)
  if (!configFile && !hasFiles) {
    throw usageError(
      "Nothing to serve: pass --config <file>, --intents <file.json> or --components <file.json>, or create ixp.config.mjs (try 'ixp init')",
    )
  }
  const base = configFile ? await loadConfig(configFile, io.cwd) : resolveConfig({}, undefined, io.cwd)
  const resolved = withFlagFiles(base, parsed, io.cwd)
  const settings = serveSettings(parsed, resolved, io.env)
  if (cluster.isWorker && io.env[WORKER_ENV] === '1') return runServer(resolved, settings, io, 'worker')
  if (settings.workers > 1) {
    await preflight(resolved, io.cwd)
    return runPrimary(settings, argv, io)
  }
  return runServer(resolved, settings, io, 'single')
}
