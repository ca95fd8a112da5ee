/**
 * `pnpm bench core-size` — what `@ixp/core`'s root entry is made of, against issue 15's budget of 12,000 bytes of own
 * code minified and gzipped (esbuild, dependencies external; the same build as `packages/core/test/bundle.test.ts`,
 * which asserts the figure). Builds of the root, each minified and gzipped at level 9:
 * 1. as it is;
 * 2. with every string literal of the minified output emptied — messages, hook and option names alike — which
 *    says how much of the figure any rewording of the messages could ever take;
 * 3. with the modules the issue does not name as the root's (it keeps registries, validation, hooks, plugins,
 *    render and resolve) replaced by empty stubs, messages untouched: how small the root gets if everything else
 *    left it; then also three parts of what it keeps. The stubs export zeros and keep no code, so the figures are
 *    floors: really moving a module out leaves the call sites and an installation hook behind.
 * Sizes do not move with the machine's load; the figures are exact for a tree.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import type { Plugin } from 'esbuild'
import { SIZE_BUILD } from '../packages/core/test/size-build.js'
import { printTable } from './measure.js'

const ROOT = fileURLToPath(new URL('../packages/core/src/index.ts', import.meta.url))
const BUDGET = 12_000

/**
 * Modules of the root outside the list: deadlines, events, health checks, TTLs, the logger, command
 * invalidation, the ready() check and did-you-mean.
 */
const OUTSIDE_THE_LIST = [
  'deadline',
  'deadline-clock',
  'events',
  'health',
  'ttl',
  'logger',
  'invalidation',
  'startup-check',
  'suggest',
]

/** Parts of what the list keeps: the engine's option checks, hook portability and the tap records of `unuse()`. */
const PARTS_OF_THE_LIST = ['engine-options', 'hooks/portable', 'plugin-host/footprint']

/** Replaces each listed module of the core by one that exports its names as zeros. */
function stubs(modules: string[]): Plugin {
  const paths = new Set(
    modules.map((module) => fileURLToPath(new URL(`../packages/core/src/${module}.ts`, import.meta.url))),
  )
  return {
    name: 'stub-modules',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!paths.has(args.path)) return undefined
        const names = [
          ...readFileSync(args.path, 'utf8').matchAll(
            /^export (?:async )?(?:function|const|class|let) (\w+)/gm,
          ),
        ]
        return { contents: names.map(([, name]) => `export const ${name}: any = 0`).join('\n'), loader: 'ts' }
      })
    },
  }
}

async function minified(plugins: Plugin[] = []): Promise<string> {
  const { build } = await import('esbuild')
  const result = await build({ ...SIZE_BUILD, entryPoints: [ROOT], packages: 'external', plugins })
  return result.outputFiles[0]!.text
}

const STRING_LITERAL = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g

export default async function run(): Promise<void> {
  const root = await minified()
  const builds = [
    { build: 'the root entry as it is', code: root },
    {
      build: 'every string literal emptied',
      code: root.replace(STRING_LITERAL, (literal) => literal[0]!.repeat(2)),
    },
    {
      build: "the modules outside the issue's list stubbed",
      code: await minified([stubs(OUTSIDE_THE_LIST)]),
    },
    {
      build: '… and option checks, hook portability, unuse records',
      code: await minified([stubs([...OUTSIDE_THE_LIST, ...PARTS_OF_THE_LIST])]),
    },
  ]
  printTable(
    builds.map(({ build, code }) => {
      const gzipped = gzipSync(code, { level: 9 }).length
      return {
        build,
        minified: code.length.toLocaleString('en-US'),
        'min+gz': gzipped.toLocaleString('en-US'),
        'vs 12,000 budget': `${(gzipped / BUDGET).toFixed(2)}×`,
      }
    }),
  )
  console.log(
    `\noutside the list: ${OUTSIDE_THE_LIST.join(', ')}; parts of it: ${PARTS_OF_THE_LIST.join(', ')}`,
  )
}
