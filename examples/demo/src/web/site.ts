/**
 * The demo's own pages next to the IXP routes: `/` (a small page to try every intent), `/live` (stock levels
 * kept live over the realtime socket), their scripts and style, `@ixp/client` bundled for the browser, and the
 * store locator's module (the remote component's `remoteUrl`).
 */
import { readFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { SAMPLE_PARAMETERS } from '../samples.js'
import { clientBundle } from './client-bundle.js'
import { livePage } from './live.js'

const PUBLIC = new URL('../../public/', import.meta.url)

const ASSETS: Record<string, { file: string; type: string }> = {
  '/assets/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/assets/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  '/assets/store-locator.js': { file: 'store-locator.js', type: 'text/javascript; charset=utf-8' },
  '/assets/render-tree.js': { file: 'render-tree.js', type: 'text/javascript; charset=utf-8' },
  '/assets/live.js': { file: 'live.js', type: 'text/javascript; charset=utf-8' },
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
}

function escapeJsonForHtml(value: unknown): string {
  // Inside <script type="application/json">, only "</" could end the element early.
  return JSON.stringify(value).replace(/</g, '\\u003c')
}

function page(base: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Harbor &amp; Pine store assistant</title>
<link rel="stylesheet" href="/assets/app.css">
<script type="application/json" id="ixp-demo">${escapeJsonForHtml({ base, samples: SAMPLE_PARAMETERS })}</script>
<script type="module" src="/assets/app.js"></script>
</head>
<body>
<header><h1>Harbor &amp; Pine store assistant</h1><p>An IXP Engine demo: pick an intent or ask a question. <a href="/live">Live stock levels</a></p></header>
<main>
  <form id="ask"><input name="text" placeholder="Ask, e.g. when does the Seattle store close?" autocomplete="off" aria-label="Question"><button>Ask</button></form>
  <label class="staff">Staff API key (optional, unlocks restock_report)<input id="staff-key" type="password" autocomplete="off"></label>
  <nav id="intents" aria-label="Intents"></nav>
  <form id="render" hidden>
    <h2 id="intent-name"></h2>
    <p id="intent-description"></p>
    <label>Parameters (JSON)<textarea name="parameters" rows="6" spellcheck="false"></textarea></label>
    <button>Render</button>
  </form>
  <section id="result" aria-live="polite"></section>
</main>
</body>
</html>
`
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    ...SECURITY_HEADERS,
  })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}

/** Answers a request outside the IXP routes. */
export async function serveSite(req: IncomingMessage, res: ServerResponse, base: string): Promise<void> {
  const path = (req.url ?? '/').split('?', 1)[0]!
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD')
    return send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed\n')
  }
  if (path === '/') return send(res, 200, 'text/html; charset=utf-8', page(base))
  if (path === '/live') return send(res, 200, 'text/html; charset=utf-8', livePage(base))
  if (path === '/assets/ixp-client.js') {
    return send(res, 200, 'text/javascript; charset=utf-8', await clientBundle())
  }
  const asset = Object.hasOwn(ASSETS, path) ? ASSETS[path] : undefined
  if (asset) return send(res, 200, asset.type, await readFile(new URL(asset.file, PUBLIC)))
  return send(res, 404, 'text/plain; charset=utf-8', `Not found. The IXP API is under ${base}\n`)
}
