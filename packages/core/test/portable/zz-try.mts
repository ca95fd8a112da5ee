import { fileURLToPath } from 'node:url'
import { buildPortableSuite, runPortableSuite, disposeBundle } from './run.js'
const bundle = await buildPortableSuite(fileURLToPath(new URL('./suite.ts', import.meta.url)))
console.log(bundle)
for (const runtime of ['node-nocodegen', 'workerd'] as const) {
  const t = Date.now()
  try {
    const r = await runPortableSuite(bundle, { runtime })
    console.log(
      runtime,
      Date.now() - t,
      'ms',
      r.runtime,
      r.codeGeneration,
      r.results.filter((x) => x.ok).length,
      '/',
      r.results.length,
    )
    for (const f of r.results.filter((x) => !x.ok)) console.log('FAIL', f.name, '\n', f.error)
    if (r.stderr) console.log('stderr:', r.stderr.slice(0, 2000))
  } catch (e) {
    console.log(runtime, 'ERROR', e)
  }
}
await disposeBundle(bundle)
