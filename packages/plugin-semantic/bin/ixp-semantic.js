#!/usr/bin/env node
// The workspace's `ixp-semantic` bin: runs the build. Published packages point `bin` straight at
// dist/cli/bin.js (publishConfig); in this repository run the sources with `pnpm --filter @ixp/plugin-semantic semantic …`.
import { existsSync } from 'node:fs'

const built = new URL('../dist/cli/bin.js', import.meta.url)
if (existsSync(built)) {
  await import(built.href)
} else {
  console.error(
    "ixp-semantic: @ixp/plugin-semantic is not built; run 'pnpm build', or run the sources: pnpm --filter @ixp/plugin-semantic semantic <command>",
  )
  process.exitCode = 1
}
