/**
 * The child `core.bench.ts` runs under callgrind (see `instructions.ts`): `node core-instructions.js <engine|hand>
 * <count>` renders the fixture's synchronous intent `count` times, through the engine or by hand, keeping each
 * result so that V8 cannot drop its allocations.
 */
import { handWrittenSync, summaryEngine, syncRequest } from './core-fixture.js'

const [target, count] = process.argv.slice(2)
let render: (request: typeof syncRequest) => unknown
if (target === 'hand') render = handWrittenSync
else if (target === 'engine') {
  const engine = await summaryEngine()
  render = (request) => engine.renderNow(request)
} else throw new Error(`usage: core-instructions <engine|hand> <count> (got ${target})`)
const kept: unknown[] = new Array(1024)
for (let i = 0; i < Number(count); i++) kept[i & 1023] = render(syncRequest)
