// The demo page: lists the intents, renders one through POST {base}/render, and shows the answer — a
// server-rendered tree turned into DOM nodes (allow-listed tags and attributes, text only), or a remote
// component's module imported and mounted.

import { toDom } from '/assets/render-tree.js'

const { base, samples } = JSON.parse(document.getElementById('ixp-demo').textContent)

const nav = document.getElementById('intents')
const form = document.getElementById('render')
const result = document.getElementById('result')
let current
let unmount
const known = new Map()

function showError(body, status) {
  const error = body && body.error ? body.error : { code: String(status), message: 'Request failed' }
  const box = document.createElement('div')
  box.className = 'error'
  const title = document.createElement('strong')
  title.textContent = error.code
  box.append(title, ` ${error.message}`)
  result.replaceChildren(box)
}

async function show(response) {
  unmount?.()
  unmount = undefined
  const body = await response.json().catch(() => undefined)
  if (!response.ok) return showError(body, response.status)
  const meta = document.createElement('p')
  meta.className = 'meta'
  meta.textContent = `${body.component.name} · cached for ${body.ttl} s${body.resolution ? ` · matched ${body.resolution.intent} (${Math.round(body.resolution.confidence * 100)}%)` : ''}`
  const mount = document.createElement('div')
  result.replaceChildren(meta, mount)
  if (body.tree !== undefined) {
    mount.append(toDom(body.tree))
  } else if (body.record) {
    const module = await import(body.record.moduleUrl)
    unmount = module[body.record.exportName](mount, body.record.props)
  }
}

const staffKey = document.getElementById('staff-key')

function credentials() {
  return staffKey.value ? { 'x-api-key': staffKey.value } : {}
}

function post(path, payload) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...credentials() },
    body: JSON.stringify(payload),
  })
}

function select(intent, parameters = samples[intent.name] ?? {}) {
  current = intent
  form.hidden = false
  document.getElementById('intent-name').textContent = intent.name
  document.getElementById('intent-description').textContent = intent.description
  form.elements.parameters.value = JSON.stringify(parameters, null, 2)
}

function note(text) {
  const paragraph = document.createElement('p')
  paragraph.className = 'meta'
  paragraph.textContent = text
  result.replaceChildren(paragraph)
}

form.addEventListener('submit', async (event) => {
  event.preventDefault()
  let parameters
  try {
    parameters = JSON.parse(form.elements.parameters.value || '{}')
  } catch (error) {
    return showError({ error: { code: 'INVALID_JSON', message: error.message } })
  }
  await show(await post('/render', { intent: { name: current.name, parameters } }))
})

// Free text goes to the resolver first: a complete match is rendered at once; when the text leaves required
// parameters out, the form is filled with what it did say and the rest is asked for.
document.getElementById('ask').addEventListener('submit', async (event) => {
  event.preventDefault()
  const text = event.target.elements.text.value.trim()
  if (!text) return
  const response = await post('/resolve', { text, ...(current ? { previousIntent: current.name } : {}) })
  const outcome = await response.json().catch(() => undefined)
  if (!response.ok) return showError(outcome, response.status)
  if (!outcome.matched) {
    const others = outcome.alternatives.map((alternative) => alternative.intent).join(', ')
    return note(`No intent matches that (${outcome.reason})${others ? `; closest: ${others}` : ''}.`)
  }
  const intent = known.get(outcome.intent) ?? { name: outcome.intent, description: '' }
  select(intent, outcome.parameters)
  if (outcome.missing?.length) return note(`${outcome.intent}: please fill in ${outcome.missing.join(', ')}.`)
  await show(await post('/render', { intent: { name: outcome.intent, parameters: outcome.parameters } }))
})

// Discovery shows each caller what it may use: the staff key reveals the staff intents.
async function listIntents() {
  const response = await fetch(`${base}/intents`, { headers: credentials() })
  if (!response.ok) return showError(await response.json().catch(() => undefined), response.status)
  const { intents } = await response.json()
  nav.replaceChildren()
  known.clear()
  for (const intent of intents) {
    known.set(intent.name, intent)
    const button = document.createElement('button')
    button.type = 'button'
    button.textContent = intent.name
    button.title = intent.description
    button.addEventListener('click', () => select(intent))
    nav.append(button)
  }
}

staffKey.addEventListener('change', listIntents)
await listIntents()
