/**
 * Keeps object spreads (`{ ...a, ...b }`) out of the render hot path: on these shapes V8 runs them through a
 * slow path (~1 µs against ~90 ns for `Object.assign`), which once cost a render more than everything else
 * it did. `node scripts/check-hot-paths.mjs` exits 1 and names file:line of each spread found in the files
 * below (or in the files given as arguments); `pnpm lint` runs it. Array spreads and rest parameters are fine (not listed).
 */
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

/** Files every render (or every HTTP render request, through the node adapter and the stack's plugins) runs through. */
export const HOT_PATH_FILES = [
  'packages/core/src/render-pipeline.ts',
  'packages/core/src/render-state.ts',
  'packages/core/src/deadline.ts',
  'packages/core/src/deadline-clock.ts',
  'packages/core/src/tree/canonical.ts',
  'packages/core/src/validation/parameters.ts',
  'packages/core/src/validation/sanitize.ts',
  'packages/core/src/hooks/sync-taps.ts',
  'packages/core/src/plugin-kit/maybe-sync.ts',
  'packages/plugin-http/src/render-route.ts',
  'packages/plugin-http/src/exchange.ts',
  'packages/plugin-http/src/headers.ts',
  'packages/plugin-http/src/cors.ts',
  'packages/plugin-http/src/json.ts',
  'packages/plugin-http/src/metrics.ts',
  'packages/plugin-http/src/request-body.ts',
  'packages/plugin-http/src/request-scope.ts',
  'packages/plugin-http/src/node/body.ts',
  'packages/plugin-http/src/node/body-deadlines.ts',
  'packages/plugin-http/src/node/connection.ts',
  'packages/plugin-http/src/node/handler.ts',
  'packages/plugin-http/src/node/response.ts',
  // The four plugins of the stack benchmark, on a render with tracing, auth, rate limit and cache.
  'packages/plugin-auth/src/plugin.ts',
  'packages/plugin-rate-limit/src/plugin.ts',
  'packages/plugin-rate-limit/src/algorithms.ts',
  'packages/plugin-rate-limit/src/decision.ts',
  'packages/plugin-rate-limit/src/guard.ts',
  'packages/plugin-rate-limit/src/keys.ts',
  'packages/plugin-rate-limit/src/memory-store.ts',
  'packages/plugin-cache/src/answer.ts',
  'packages/plugin-cache/src/json.ts',
  'packages/plugin-cache/src/key.ts',
  'packages/plugin-cache/src/keying.ts',
  'packages/plugin-cache/src/memory.ts',
  'packages/plugin-cache/src/read-path.ts',
  'packages/plugin-cache/src/runtime.ts',
  'packages/plugin-cache/src/write-path.ts',
  'packages/plugin-tracing/src/render-trace.ts',
  'packages/plugin-tracing/src/taps.ts',
]

/** `file:line` of every object spread in `source`. */
export function objectSpreads(file, source) {
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true)
  const found = []
  const visit = (node) => {
    if (ts.isSpreadAssignment(node)) {
      const { line } = tree.getLineAndCharacterOfPosition(node.getStart(tree))
      found.push(`${file}:${line + 1}`)
    }
    ts.forEachChild(node, visit)
  }
  visit(tree)
  return found
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = process.argv.length > 2 ? process.argv.slice(2) : HOT_PATH_FILES
  const found = files.flatMap((file) => objectSpreads(file, readFileSync(resolve(root, file), 'utf8')))
  if (found.length > 0) {
    console.error(
      `Object spreads on the render hot path (use Object.assign({}, a, b) instead):\n  ${found.join('\n  ')}`,
    )
    process.exit(1)
  }
  console.log(`no object spreads in ${files.length} hot-path files`)
}
