// The live stock page: one `check_stock` subscription per product of the chosen store over the ixp.v1 socket
// (@ixp/client), re-rendered by the server and pushed after each `restock`; the staff form runs `restock` over
// fetch with the staff key.

import { createClient } from '/assets/ixp-client.js'
import { toDom } from '/assets/render-tree.js'

const { base, stores, products } = JSON.parse(document.getElementById('ixp-live').textContent)

const storeSelect = document.getElementById('store')
const connection = document.getElementById('connection')
const rows = document.querySelector('#levels tbody')
const form = document.getElementById('restock')
const outcome = document.getElementById('restock-result')

const client = createClient({
  url: base,
  headers: () => (form.elements.key.value ? { 'x-api-key': form.elements.key.value } : {}),
})
client.onState((state) => {
  connection.textContent = state
  connection.dataset.state = state
})

for (const store of stores) storeSelect.append(new Option(store.name, store.id))
for (const product of products)
  form.elements.sku.append(new Option(`${product.sku} ${product.name}`, product.sku))

let stops = []

function follow(store) {
  for (const stop of stops) stop()
  rows.replaceChildren()
  stops = products.map((product) => {
    const row = document.createElement('tr')
    row.dataset.sku = product.sku
    const name = document.createElement('th')
    name.scope = 'row'
    name.textContent = product.sku
    const level = document.createElement('td')
    level.className = 'level'
    level.textContent = '…'
    row.append(name, level)
    rows.append(row)
    return client.subscribe(
      { intent: { name: 'check_stock', parameters: { sku: product.sku, store } } },
      {
        next: (answer) => {
          level.replaceChildren(toDom(answer.tree))
          row.dataset.updates = String(Number(row.dataset.updates ?? 0) + 1)
        },
        error: (error) => (level.textContent = `${error.code}: ${error.message}`),
      },
    )
  })
}

storeSelect.addEventListener('change', () => follow(storeSelect.value))
follow(storeSelect.value)

form.addEventListener('submit', async (event) => {
  event.preventDefault()
  const parameters = {
    sku: form.elements.sku.value,
    store: storeSelect.value,
    units: Number(form.elements.units.value),
  }
  try {
    await client.render({ intent: { name: 'restock', parameters } })
    outcome.textContent = `Restocked ${parameters.units} × ${parameters.sku}`
  } catch (error) {
    outcome.textContent = `${error.code}: ${error.message}`
  }
})
