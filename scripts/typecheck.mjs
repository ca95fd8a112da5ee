#!/usr/bin/env node
/**
 * `pnpm typecheck`: runs `tsc --noEmit` for every workspace project (and the benchmarks) separately, two at a
 * time. Separately on purpose: plugins extend the core's types by declaration merging, and a package must
 * type-check with the augmentations of the packages it imports, not with every plugin's at once.
 */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'

const root = join(import.meta.dirname, '..')
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc')
const projects = ['packages', 'examples']
  .flatMap((group) =>
    existsSync(join(root, group))
      ? readdirSync(join(root, group)).map((name) => join(group, name, 'tsconfig.json'))
      : [],
  )
  .filter((config) => existsSync(join(root, config)))
projects.push('bench/tsconfig.json', 'tsconfig.json')

function check(config) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '-p', config, '--noEmit'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('close', (code) => resolve({ config, code, output }))
  })
}

const queue = [...projects]
const failures = []
await Promise.all(
  Array.from({ length: 2 }, async () => {
    for (let config = queue.shift(); config; config = queue.shift()) {
      const { code, output } = await check(config)
      console.log(`${code === 0 ? 'ok  ' : 'FAIL'} ${config}`)
      if (code !== 0) failures.push(output.trim())
    }
  }),
)
if (failures.length > 0) {
  console.error(`\n${failures.join('\n')}`)
  process.exit(1)
}
