/** Store components: opening hours and policies (server-rendered), the store locator (remote). */
// The store locator is a remote component (rendered in the browser): its checks come with this import.
import '@ixp/core/remote'
import type { RemoteComponentDefinition, ServerComponentDefinition } from '@ixp/core'
import { h } from '@ixp/core/tree'
import type { Hours } from '../data/stores.js'
import type { Policy } from '../data/policies.js'

interface StoreHoursProps {
  day: string | null
  stores: {
    name: string
    phone: string
    open: boolean
    note: string
    hours: { day: string; hours: Hours }[]
  }[]
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

export const StoreHours: ServerComponentDefinition<StoreHoursProps> = {
  name: 'StoreHours',
  description: 'Opening hours per store, with whether each is open now',
  version: '1.1.0',
  render: ({ stores }) =>
    h(
      'section',
      { class: 'store-hours' },
      stores.map((store) =>
        h(
          'div',
          { key: store.name, class: 'store' },
          h(
            'h3',
            null,
            store.name,
            ' ',
            h('span', { class: store.open ? 'badge badge-ok' : 'badge badge-out' }, store.note),
          ),
          h(
            'table',
            null,
            h(
              'tbody',
              null,
              store.hours.map(({ day, hours }) =>
                h(
                  'tr',
                  { key: day },
                  h('th', { scope: 'row' }, capitalize(day)),
                  h('td', null, hours ? `${hours.open}–${hours.close}` : 'Closed'),
                ),
              ),
            ),
          ),
          h('p', { class: 'phone' }, store.phone),
        ),
      ),
    ),
}

export const PolicyAnswer: ServerComponentDefinition<{ topic: string; policy: Policy }> = {
  name: 'PolicyAnswer',
  description: 'A store policy: summary and the points that matter',
  version: '1.0.0',
  render: ({ policy }) =>
    h(
      'section',
      { class: 'policy' },
      h('h2', null, policy.title),
      h('p', null, policy.summary),
      h(
        'ul',
        null,
        policy.points.map((point, index) => h('li', { key: String(index) }, point)),
      ),
    ),
}

export interface StoreLocatorOptions {
  /** Where the module is served (the demo server serves it; a CDN URL in production). @default '/assets/store-locator.js' */
  remoteUrl?: string
  /** Page origins allowed to render it (checked against the request's `Origin`). */
  allowedOrigins: string[]
}

/** The store locator: a vanilla JavaScript module the client loads and mounts with the render's props. */
export function storeLocator(options: StoreLocatorOptions): RemoteComponentDefinition {
  return {
    name: 'StoreLocator',
    description: 'An interactive list of stores with map links and directions',
    framework: 'vanilla',
    remoteUrl: options.remoteUrl ?? '/assets/store-locator.js',
    exportName: 'StoreLocator',
    version: '1.0.0',
    propsSchema: {
      type: 'object',
      properties: { stores: { type: 'array' }, city: { type: 'string' } },
      required: ['stores'],
    },
    allowedOrigins: options.allowedOrigins,
    performance: { tti: '120ms', bundleSizeGzipped: '2KB' },
    securityPolicy: {
      allowEval: false,
      sandboxed: true,
      maxBundleSize: '20KB',
      csp: { 'script-src': ["'self'"], 'img-src': ["'self'", 'https://tile.openstreetmap.org'] },
    },
  }
}
