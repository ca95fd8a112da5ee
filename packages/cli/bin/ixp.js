#!/usr/bin/env node
// The workspace's `ixp` bin: runs the build. Published packages point `bin` straight at dist/bin.js
// (publishConfig); in this repository run the sources with `pnpm --filter @ixp/cli ixp …` instead.
import { existsSync } from 'node:fs'

const built = new URL('../dist/bin.js', import.meta.url)
if (existsSync(built)) {
  await import(built.href)
} else {
  console.error(
    "ixp: @ixp/cli is not built; run 'pnpm build', or run the sources: pnpm --filter @ixp/cli ixp <command>",
  )
  process.exitCode = 1
}
