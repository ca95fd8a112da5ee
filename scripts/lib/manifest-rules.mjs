/**
 * This project's publishing rules for one package, checked on its packed manifest (what the registry serves).
 * The README's "What a package needs" section lists the same rules for people.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { root } from './packages.mjs'

const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

/** Every `{ types, default }` leaf of an export entry, with the conditions that lead to it. */
function exportLeaves(entry, conditions = []) {
  if (typeof entry === 'string') return [{ conditions, target: entry }]
  if (entry === null || typeof entry !== 'object') return []
  return Object.entries(entry).flatMap(([key, value]) => exportLeaves(value, [...conditions, key]))
}

/**
 * @param pkg the workspace package (`dir`, source `manifest`)
 * @param packed the manifest inside the tarball
 * @param files the tarball's file list (`package/…`)
 * @returns what is wrong, one sentence each (empty when the package follows the rules)
 */
export function manifestProblems(pkg, packed, files) {
  const problems = []
  const source = pkg.manifest
  const text = JSON.stringify(packed)
  if (text.includes('workspace:')) problems.push('the packed manifest still has a workspace: range')
  if (packed.license !== rootManifest.license) problems.push(`license must be ${rootManifest.license}`)
  if (!files.includes('package/LICENSE'))
    problems.push('the tarball has no LICENSE file (packages/<dir>/LICENSE)')
  if (!files.includes('package/README.md')) problems.push('the tarball has no README.md')
  const repo = packed.repository
  if (repo?.url !== rootManifest.repository.url || repo?.directory !== `packages/${pkg.dir}`) {
    problems.push(
      `repository must be { type: 'git', url: '${rootManifest.repository.url}', directory: 'packages/${pkg.dir}' }`,
    )
  }
  if (packed.engines?.node !== rootManifest.engines.node)
    problems.push(`engines.node must be '${rootManifest.engines.node}'`)
  if (packed.publishConfig?.access !== 'public') problems.push("publishConfig.access must be 'public'")
  if (!Array.isArray(packed.files) || !packed.files.includes('dist')) problems.push("files must list 'dist'")
  if (!source.scripts?.prepack)
    problems.push('scripts.prepack must build the package (a fresh clone has no dist/)')
  if (packed.name !== '@ixp/core') {
    if (packed.dependencies?.['@ixp/core']) {
      problems.push('@ixp/core must be a peerDependency, not a dependency (an app must end up with one core)')
    }
    if (!packed.peerDependencies?.['@ixp/core']) problems.push('@ixp/core must be a peerDependency')
    if (source.peerDependencies?.['@ixp/core'] !== 'workspace:^') {
      problems.push("the peer range of @ixp/core must be 'workspace:^' (published as ^<version>)")
    }
    if (!source.devDependencies?.['@ixp/core'])
      problems.push('@ixp/core must also be a devDependency (for the build and tests)')
  }
  for (const [subpath, entry] of Object.entries(packed.exports ?? {})) {
    for (const { conditions, target } of exportLeaves(entry)) {
      if (conditions.includes('source')) continue
      const path = `package/${target.replace(/^\.\//, '')}`
      if (!files.includes(path))
        problems.push(`exports['${subpath}'] ${conditions.join('.')} → ${target} is not in the tarball`)
      if (conditions.includes('require') && conditions.at(-1) === 'types' && !target.endsWith('.d.cts')) {
        problems.push(
          `exports['${subpath}'].require.types must be a .d.cts file (CommonJS types for require)`,
        )
      }
      if (conditions.includes('import') && conditions.at(-1) === 'types' && !target.endsWith('.d.ts')) {
        problems.push(`exports['${subpath}'].import.types must be a .d.ts file`)
      }
    }
  }
  return problems
}
