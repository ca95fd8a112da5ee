/**
 * `/live`: stock levels of one store kept live with `@ixp/client` — each row is a `check_stock` subscription
 * over `/ixp/ws`, pushed again whenever a `restock` command runs (in this page's staff panel, another tab, or
 * another instance sharing Redis).
 */
import { PRODUCTS } from '../data/catalog.js'
import { STORES } from '../data/stores.js'

function escapeJsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c')
}

export function livePage(base: string): string {
  const config = {
    base,
    stores: STORES.map((store) => ({ id: store.id, name: store.name })),
    products: PRODUCTS.map((product) => ({ sku: product.sku, name: product.name })),
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Live stock · Harbor &amp; Pine</title>
<link rel="stylesheet" href="/assets/app.css">
<script type="application/json" id="ixp-live">${escapeJsonForHtml(config)}</script>
<script type="module" src="/assets/live.js"></script>
</head>
<body>
<header><h1>Live stock levels</h1><p>Each row is a live render: it changes by itself when staff restock. <a href="/">Back to the assistant</a></p></header>
<main>
  <label>Store <select id="store"></select></label>
  <p class="meta">Connection: <span id="connection" data-state="idle">idle</span></p>
  <table id="levels"><thead><tr><th scope="col">SKU</th><th scope="col">Stock</th></tr></thead><tbody></tbody></table>
  <form id="restock">
    <h2>Restock (staff)</h2>
    <label>Staff API key<input name="key" type="password" autocomplete="off"></label>
    <label>Product<select name="sku"></select></label>
    <label>Units<input name="units" type="number" min="1" max="500" value="5"></label>
    <button>Restock</button>
    <p id="restock-result" class="meta" aria-live="polite"></p>
  </form>
</main>
</body>
</html>
`
}
