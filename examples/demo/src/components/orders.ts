/** Server-rendered order tracker. */
import type { ServerComponentDefinition } from '@ixp/core'
import { h } from '@ixp/core/tree'
import type { OrderEvent } from '../data/orders.js'

const STEPS = ['placed', 'processing', 'shipped', 'out-for-delivery', 'delivered'] as const

const LABELS: Record<string, string> = {
  placed: 'Placed',
  processing: 'Processing',
  shipped: 'Shipped',
  'out-for-delivery': 'Out for delivery',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
}

interface OrderTrackerProps {
  order: {
    id: string
    status: string
    placedAt: string
    total: string
    lines: { name: string; quantity: number; price: string }[]
    shipping: { method: string; carrier?: string; tracking?: string; estimatedDelivery?: string }
    events: OrderEvent[]
  }
}

function progress(status: string) {
  if (status === 'cancelled') return h('p', { class: 'badge badge-out' }, 'This order was cancelled')
  const reached = STEPS.indexOf(status as (typeof STEPS)[number])
  return h(
    'ol',
    { class: 'progress' },
    STEPS.map((step, index) =>
      h(
        'li',
        {
          key: step,
          class: index <= reached ? 'done' : 'todo',
          'aria-current': index === reached ? 'step' : undefined,
        },
        LABELS[step],
      ),
    ),
  )
}

export const OrderTracker: ServerComponentDefinition<OrderTrackerProps> = {
  name: 'OrderTracker',
  description: 'The status of an order with its progress, items and history',
  version: '2.0.0',
  render: ({ order }) =>
    h(
      'article',
      { class: 'order' },
      h('h2', null, `Order ${order.id}: ${LABELS[order.status] ?? order.status}`),
      progress(order.status),
      order.shipping.estimatedDelivery && order.status !== 'delivered' && order.status !== 'cancelled'
        ? h('p', null, `Estimated delivery: ${order.shipping.estimatedDelivery}`)
        : null,
      order.shipping.tracking
        ? h('p', null, `${order.shipping.carrier} tracking number `, h('code', null, order.shipping.tracking))
        : null,
      h(
        'ul',
        { class: 'lines' },
        order.lines.map((line) =>
          h('li', { key: line.name }, `${line.quantity} × ${line.name} — ${line.price}`),
        ),
      ),
      h('p', { class: 'total' }, `Total ${order.total} · ${order.shipping.method} shipping`),
      h(
        'details',
        null,
        h('summary', null, 'History'),
        h(
          'ul',
          null,
          order.events.map((event) =>
            h(
              'li',
              { key: event.at },
              h('time', { datetime: event.at }, event.at.slice(0, 16).replace('T', ' ')),
              ` ${event.note}`,
            ),
          ),
        ),
      ),
    ),
}
