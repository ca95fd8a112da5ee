/**
 * @ixp/plugin-auth: renders per second through `engine.render()` with the plugin, per credential kind, against
 * the same render without the plugin (interleaved in one run), plus TOTP verifications per second.
 *
 * Run: `node --conditions=source --import tsx packages/plugin-auth/bench/auth.bench.ts` from the repository root
 * (or re-export its default from `bench/auth.bench.ts` to include it in `pnpm bench`).
 */
import { createEngine, silentLogger, type Engine } from '@ixp/core'
import { generateKeyPair, SignJWT, exportSPKI } from 'jose'
import { pathToFileURL } from 'node:url'
import { compareRates, formatRate, printTable } from '../../../bench/measure.js'
import {
  auth,
  createMemoryReplayStore,
  generateTotp,
  generateTotpSecret,
  verifyTotp,
  type AuthOptions,
} from '../src/index.js'

const SECRET = 'a-benchmark-secret-that-is-long-enough-for-hs256'
const API_KEY = 'ixp_bench_0123456789abcdef'

async function engineWith(options: AuthOptions | undefined): Promise<Engine> {
  const engine = createEngine({ logger: silentLogger })
  engine.registerComponent({
    name: 'Card',
    render: (props) => ({ type: 'card', props: {}, children: [String(props.n)] }),
  })
  engine.registerIntent({
    name: 'open',
    description: 'Public',
    component: 'Card',
    parameters: { type: 'object' },
    auth: { public: true },
  })
  engine.registerIntent({
    name: 'guarded',
    description: 'Needs a role',
    component: 'Card',
    parameters: { type: 'object' },
    auth: { roles: ['user'] },
  })
  if (options) engine.use(auth(options))
  await engine.ready()
  return engine
}

export default async function bench(): Promise<void> {
  const hmac = new TextEncoder().encode(SECRET)
  const exp = Math.floor(Date.now() / 1000) + 3600
  const hsToken = await new SignJWT({ sub: 'ada', roles: ['user'], exp })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(hmac)
  const rsa = await generateKeyPair('RS256', { extractable: true })
  const rsToken = await new SignJWT({ sub: 'ada', roles: ['user'], exp })
    .setProtectedHeader({ alg: 'RS256' })
    .sign(rsa.privateKey)
  const ec = await generateKeyPair('ES256', { extractable: true })
  const esToken = await new SignJWT({ sub: 'ada', roles: ['user'], exp })
    .setProtectedHeader({ alg: 'ES256' })
    .sign(ec.privateKey)

  const plain = await engineWith(undefined)
  const hs = await engineWith({ jwt: { secret: SECRET } })
  const rs = await engineWith({ jwt: { publicKey: await exportSPKI(rsa.publicKey) } })
  const es = await engineWith({ jwt: { publicKey: await exportSPKI(ec.publicKey), algorithms: ['ES256'] } })
  const keys = await engineWith({
    apiKeys: {
      keys: Array.from({ length: 20 }, (_, i) => ({ id: `k${i}`, key: `${API_KEY}${i}`, roles: ['user'] })),
    },
  })

  const render = (engine: Engine, name: string, headers?: Record<string, string>) =>
    engine.render({ intent: { name, parameters: {} } }, headers ? { headers } : {})
  const sharedHeaders = { authorization: `Bearer ${hsToken}` }

  const rates = await compareRates({
    'no plugin (baseline)': () => render(plain, 'guarded'),
    'public intent, anonymous': () => render(hs, 'open'),
    'HS256, new request each time': () => render(hs, 'guarded', { authorization: `Bearer ${hsToken}` }),
    'HS256, memoised (same headers)': () => render(hs, 'guarded', sharedHeaders),
    'RS256, new request each time': () => render(rs, 'guarded', { authorization: `Bearer ${rsToken}` }),
    'ES256, new request each time': () => render(es, 'guarded', { authorization: `Bearer ${esToken}` }),
    'API key (20 keys), new request each time': () => render(keys, 'guarded', { 'x-api-key': `${API_KEY}7` }),
  })
  const baseline = rates[0]!.opsPerSec
  printTable(
    rates.map((rate) => ({
      case: rate.name,
      'renders/s': formatRate(rate.opsPerSec),
      'µs per render': (1e6 / rate.opsPerSec).toFixed(1),
      'added µs': rate === rates[0] ? '—' : (1e6 / rate.opsPerSec - 1e6 / baseline).toFixed(1),
    })),
  )

  const secret = generateTotpSecret()
  const store = createMemoryReplayStore({ max: 1_000_000 })
  let t = Date.UTC(2030, 0, 1)
  const codes = new Map<number, string>()
  for (let i = 0; i < 2_000; i++) codes.set(i, await generateTotp(secret, { now: t + i * 30_000 }))
  let step = 0
  const [totp] = await compareRates(
    {
      'verifyTotp (window 1, replay store)': () => {
        const i = step++ % 2_000
        return verifyTotp(codes.get(i)!, secret, {
          now: t + i * 30_000,
          replayStore: store,
          account: `a${step}`,
        })
      },
    },
    { rounds: 5 },
  )
  console.log(`\n${totp!.name}: ${formatRate(totp!.opsPerSec)} verifications/s`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await bench()
