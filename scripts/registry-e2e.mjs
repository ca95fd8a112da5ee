#!/usr/bin/env node
/**
 * `pnpm registry:e2e`: installs IXP Engine the way a user does, from a real npm registry. Starts Verdaccio on
 * 127.0.0.1 with a throwaway storage folder, publishes every package of packages/ (packed by pnpm: `prepack`
 * builds, `workspace:` ranges rewritten), then, in temporary folders outside the workspace whose only npm
 * registry is that Verdaccio (it proxies npmjs for third-party packages, never for @ixp/*):
 *
 *   1. `npx @ixp/cli init my-app` → `npm install` → `npm test` → `npm start` → a first render over HTTP is 200;
 *   2. a TypeScript app installing @ixp/core, @ixp/plugin-http, @ixp/plugin-cache and @ixp/plugin-rate-limit
 *      compiles with `tsc --strict` (an ESM module and a CommonJS `.cts` file), both run and render, and its
 *      node_modules holds exactly one @ixp/core;
 *   3. the ```ts blocks of every README (scripts/registry-e2e/readme-snippets.mjs): one project installing every
 *      package they import, compiled with `tsc --strict` against node_modules, the `<!-- snippet run -->` blocks
 *      run with their shown output checked; one check line per README.
 *
 * Prints one line per check, the timings, a summary of what a new user waits for (install, first render), and
 * "registry-e2e: N passed, M failed"; exits 1 on a failure.
 *   node scripts/registry-e2e.mjs [--packs <dir>]   (--packs: reuse/keep the tarballs there)
 */
import { spawn } from 'node:child_process'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
  readFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packAll, publishablePackages, root, run } from './lib/packages.mjs'
import { checkReadmeSnippets } from './registry-e2e/readme-snippets.mjs'

const packsFlag = process.argv.indexOf('--packs')
const work = mkdtempSync(join(tmpdir(), 'ixp-registry-'))
const packsDir = packsFlag > 0 ? process.argv[packsFlag + 1] : join(work, 'packs')
const here = join(root, 'scripts', 'registry-e2e')
const timings = {}
let passed = 0
let failed = 0
const children = []

function check(name, ok, detail = '') {
  if (ok) passed++
  else failed++
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${!ok && detail ? `\n${indent(detail)}` : ''}`)
  return ok
}
const indent = (text) =>
  String(text)
    .trim()
    .split('\n')
    .slice(-25)
    .map((line) => `       ${line}`)
    .join('\n')

async function timed(name, work) {
  const started = performance.now()
  try {
    return await work()
  } finally {
    timings[name] = Math.round(performance.now() - started)
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** A long-running child in its own process group, so that it and its children can be stopped together. */
function start(command, args, options) {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  child.output = ''
  child.stdout.on('data', (chunk) => (child.output += chunk))
  child.stderr.on('data', (chunk) => (child.output += chunk))
  children.push(child)
  return child
}

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, 'SIGTERM')
  } catch {
    // already gone
  }
}

async function waitFor(url, timeoutMs, init) {
  const deadline = Date.now() + timeoutMs
  let last = 'not tried'
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, init)
      if (response.ok) return response
      last = `HTTP ${response.status}: ${await response.text()}`
    } catch (error) {
      last = error.message
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (${last})`)
}

// ---------------------------------------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------------------------------------

const port = await freePort()
const registry = `http://127.0.0.1:${port}/`
const uplink = process.env.IXP_E2E_UPLINK ?? 'https://registry.npmjs.org/'
const verdaccioDir = join(work, 'verdaccio')
mkdirSync(verdaccioDir, { recursive: true })
writeFileSync(
  join(verdaccioDir, 'config.yaml'),
  [
    `storage: ${join(verdaccioDir, 'storage')}`,
    'auth:',
    '  htpasswd:',
    `    file: ${join(verdaccioDir, 'htpasswd')}`,
    'uplinks:',
    '  npmjs:',
    `    url: ${uplink}`,
    'packages:',
    "  '@ixp/*':",
    '    access: $all',
    '    publish: $authenticated',
    "  '**':",
    '    access: $all',
    '    publish: $authenticated',
    '    proxy: npmjs',
    'max_body_size: 200mb',
    'web:',
    '  enable: false',
    'log: { type: stdout, format: pretty, level: warn }',
    '',
  ].join('\n'),
)

// Every npm command below sees only this configuration: the Verdaccio registry and a fresh cache.
const npmrc = join(work, 'npmrc')
const npmEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_|^pnpm_/i.test(key))),
  npm_config_userconfig: npmrc,
  npm_config_globalconfig: join(work, 'npmrc-global'),
  npm_config_cache: join(work, 'npm-cache'),
  npm_config_registry: registry,
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
}
writeFileSync(npmEnv.npm_config_globalconfig, '')

let exitCode = 1
try {
  const verdaccio = start(
    join(root, 'node_modules', '.bin', 'verdaccio'),
    ['--config', join(verdaccioDir, 'config.yaml'), '--listen', `127.0.0.1:${port}`],
    { cwd: verdaccioDir },
  )
  await timed('verdaccio start', () => waitFor(`${registry}-/ping`, 60_000))
  check(
    `verdaccio ${JSON.parse(readFileSync(join(root, 'node_modules', 'verdaccio', 'package.json'), 'utf8')).version} on ${registry}`,
    verdaccio.exitCode === null,
  )

  // A user for publishing (Verdaccio's htpasswd registration), its token in the npmrc.
  const user = await fetch(`${registry}-/user/org.couchdb.user:ci`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'ci', password: 'ci-password-not-secret' }),
  })
  const { token } = await user.json()
  writeFileSync(npmrc, `registry=${registry}\n//127.0.0.1:${port}/:_authToken=${token}\n`)

  // ---------------------------------------------------------------------------------------------------------
  // Pack and publish
  // ---------------------------------------------------------------------------------------------------------
  const packages = publishablePackages()
  const packed = await timed('pack', () => packAll(packages, packsDir))
  for (const { pkg, tarball, output } of packed) {
    if (!check(`pack ${pkg.manifest.name}`, tarball !== undefined, output)) continue
    const published = await run('npm', ['publish', tarball, '--access', 'public'], { env: npmEnv, cwd: work })
    check(`publish ${pkg.manifest.name}@${pkg.manifest.version}`, published.code === 0, published.output)
  }

  // ---------------------------------------------------------------------------------------------------------
  // 1. ixp init → npm install → npm test → npm start → first render
  // ---------------------------------------------------------------------------------------------------------
  const appsDir = join(work, 'apps')
  mkdirSync(appsDir)
  const init = await timed('npx @ixp/cli init', () =>
    run('npx', ['--yes', '@ixp/cli', 'init', 'my-app'], { env: npmEnv, cwd: appsDir }),
  )
  const app = join(appsDir, 'my-app')
  if (check('npx @ixp/cli init my-app', init.code === 0, init.output)) {
    const install = await timed('init app: npm install', () =>
      run('npm', ['install'], { env: npmEnv, cwd: app }),
    )
    check('my-app: npm install', install.code === 0, install.output)
    const test = await timed('init app: npm test', () => run('npm', ['test'], { env: npmEnv, cwd: app }))
    check('my-app: npm test', test.code === 0 && /# pass 2/.test(test.output), test.output)
    const appPort = await freePort()
    const started = performance.now()
    const server = start('npm', ['start'], { env: { ...npmEnv, PORT: String(appPort) }, cwd: app })
    try {
      const response = await waitFor(`http://127.0.0.1:${appPort}/ixp/render`, 60_000, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ intent: { name: 'greet', parameters: { name: 'Ada' } } }),
      })
      timings['init app: npm start → first render 200'] = Math.round(performance.now() - started)
      const body = await response.text()
      check('my-app: npm start, POST /ixp/render answers 200', body.includes('Hello, Ada!'), body)
    } catch (error) {
      check('my-app: npm start, POST /ixp/render answers 200', false, `${error.message}\n${server.output}`)
    } finally {
      stop(server)
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // 2. A strict TypeScript app, ESM and CommonJS
  // ---------------------------------------------------------------------------------------------------------
  const tsApp = join(appsDir, 'ts-app')
  mkdirSync(join(tsApp, 'src'), { recursive: true })
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const version = (name) => packages.find((pkg) => pkg.manifest.name === name).manifest.version
  writeFileSync(
    join(tsApp, 'package.json'),
    JSON.stringify(
      {
        name: 'ts-app',
        private: true,
        type: 'module',
        dependencies: Object.fromEntries(
          ['@ixp/core', '@ixp/plugin-http', '@ixp/plugin-cache', '@ixp/plugin-rate-limit'].map((name) => [
            name,
            `^${version(name)}`,
          ]),
        ),
        devDependencies: {
          typebox: rootManifest.devDependencies.typebox,
          typescript: rootManifest.devDependencies.typescript,
          '@types/node': rootManifest.devDependencies['@types/node'],
        },
      },
      null,
      2,
    ),
  )
  writeFileSync(
    join(tsApp, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        outDir: 'dist',
        skipLibCheck: false,
        types: ['node'],
        lib: ['ES2023', 'DOM'],
      },
      include: ['src'],
    }),
  )
  copyFileSync(join(here, 'ts-app.ts'), join(tsApp, 'src', 'main.ts'))
  copyFileSync(join(here, 'ts-require.cts'), join(tsApp, 'src', 'require.cts'))
  const tsInstall = await timed('ts app: npm install', () =>
    run('npm', ['install'], { env: npmEnv, cwd: tsApp }),
  )
  if (
    check(
      'ts-app: npm install @ixp/core @ixp/plugin-http @ixp/plugin-cache @ixp/plugin-rate-limit',
      tsInstall.code === 0,
      tsInstall.output,
    )
  ) {
    const cores = (
      await run('find', ['node_modules', '-path', '*/@ixp/core/package.json'], { cwd: tsApp })
    ).output
      .trim()
      .split('\n')
      .filter(Boolean)
    check(
      `ts-app: exactly one @ixp/core in node_modules (found ${cores.length})`,
      cores.length === 1,
      cores.join('\n'),
    )
    const tsc = await timed('ts app: tsc --strict', () =>
      run(process.execPath, [join(tsApp, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], {
        cwd: tsApp,
      }),
    )
    if (
      check('ts-app: tsc --strict (ESM .ts and CommonJS .cts, skipLibCheck off)', tsc.code === 0, tsc.output)
    ) {
      const esm = await run(process.execPath, ['dist/main.js'], { cwd: tsApp })
      check(
        'ts-app: ESM import consumer renders over HTTP',
        esm.code === 0 &&
          esm.output.includes(
            '{"status":200,"tree":{"type":"p","props":{},"children":["Order AB-12 shipped"]}}',
          ),
        esm.output,
      )
      const cjs = await run(process.execPath, ['dist/require.cjs'], { cwd: tsApp })
      check(
        'ts-app: CommonJS require consumer renders',
        cjs.code === 0 && cjs.output.includes('{"status":200,"tree":"Hello, ADA"}'),
        cjs.output,
      )
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // 3. Docs that run, against the published packages
  // ---------------------------------------------------------------------------------------------------------
  await checkReadmeSnippets({ dir: join(appsDir, 'readme-snippets'), npmEnv, packages, check, timed })
  exitCode = failed > 0 ? 1 : 0
} catch (error) {
  check('registry flow', false, error.stack ?? String(error))
} finally {
  for (const child of children) stop(child)
  if (packsFlag < 0) rmSync(packsDir, { recursive: true, force: true })
  rmSync(work, { recursive: true, force: true })
}

const seconds = (name) =>
  timings[name] === undefined ? 'not reached' : `${(timings[name] / 1000).toFixed(1)} s`
for (const name of Object.keys(timings)) console.log(`time ${name}: ${seconds(name)}`)
// The figures a new user lives through, on one line for the release notes.
console.log(
  `new user: npx @ixp/cli init my-app ${seconds('npx @ixp/cli init')}, npm install ${seconds('init app: npm install')}, ` +
    `npm start → first render 200 ${seconds('init app: npm start → first render 200')}`,
)
console.log(`registry-e2e: ${passed} passed, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : exitCode
