#!/usr/bin/env node
/**
 * `pnpm check:packages`: packs every package of packages/ as `pnpm publish` would, then checks each tarball with
 * the ecosystem's tools — publint (the manifest and the files it points at) and @arethetypeswrong/cli (types
 * that match the JavaScript for `import` and for `require`) — and with this project's publishing rules (see the
 * root README, "What a package needs"). Ends with "check-packages: N passed, M failed"; exits 1 on a failure.
 *
 *   node scripts/check-packages.mjs [--packs <dir>]   (--packs: pack into <dir> and keep the tarballs; a
 *   tarball already there is reused)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { packAll, publishablePackages, root, run } from './lib/packages.mjs'
import { manifestProblems } from './lib/manifest-rules.mjs'

const packsFlag = process.argv.indexOf('--packs')
const keep = packsFlag > 0 ? process.argv[packsFlag + 1] : undefined
const outDir = keep ?? mkdtempSync(join(tmpdir(), 'ixp-packs-'))
const bin = (name) => join(root, 'node_modules', '.bin', name)
const packed = await packAll(publishablePackages(), outDir)

let passed = 0
let failed = 0
function report(name, check, problems) {
  if (problems.length === 0) {
    passed++
    console.log(`ok   ${name}: ${check}`)
  } else {
    failed++
    console.log(`FAIL ${name}: ${check}\n${problems.map((line) => `       ${line}`).join('\n')}`)
  }
}

for (const { pkg, tarball, output } of packed) {
  const name = pkg.manifest.name
  if (!tarball) {
    report(name, 'pnpm pack', [output.trim().split('\n').slice(-15).join('\n       ')])
    continue
  }
  const packedManifest = JSON.parse(
    execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
  )
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n')
  report(name, 'publishing rules', manifestProblems(pkg, packedManifest, files))

  const publint = await run(bin('publint'), ['run', tarball, '--strict'])
  report(name, 'publint --strict', publint.code === 0 ? [] : [publint.output.trim()])

  // ESM-only packages (no `require` condition anywhere) are checked for ESM resolution only; the others for
  // both. node10 (TypeScript's legacy `moduleResolution: node`) cannot see subpath exports, so it is not required.
  const esmOnly = !JSON.stringify(pkg.manifest.exports ?? {}).includes('"require"')
  const attw = await run(bin('attw'), [
    tarball,
    '--profile',
    esmOnly ? 'esm-only' : 'node16',
    '--format',
    'ascii',
  ])
  report(name, `attw (${esmOnly ? 'esm-only' : 'node16'})`, attw.code === 0 ? [] : [attw.output.trim()])
}

if (!keep) rmSync(outDir, { recursive: true, force: true })
console.log(`check-packages: ${passed} passed, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : 0
