/** Orders, in memory. Looking one up needs the order id and the buyer's e-mail, as a real store would ask. */

export const ORDER_STATUSES = ['processing', 'shipped', 'out-for-delivery', 'delivered', 'cancelled'] as const
export type OrderStatus = (typeof ORDER_STATUSES)[number]

export interface OrderLine {
  sku: string
  name: string
  quantity: number
  priceCents: number
}

export interface OrderEvent {
  /** ISO date-time. */
  at: string
  status: OrderStatus | 'placed'
  note: string
}

export interface Order {
  id: string
  email: string
  placedAt: string
  status: OrderStatus
  lines: OrderLine[]
  shipping: { method: string; carrier?: string; tracking?: string; estimatedDelivery?: string }
  events: OrderEvent[]
}

export const ORDERS: readonly Order[] = [
  {
    id: 'ORD-10421',
    email: 'ada@example.com',
    placedAt: '2026-11-12T17:04:00Z',
    status: 'shipped',
    lines: [
      { sku: 'TE-101', name: 'Ridgeline 2 Tent', quantity: 1, priceCents: 24900 },
      { sku: 'CK-501', name: 'Pocket Canister Stove', quantity: 1, priceCents: 4900 },
    ],
    shipping: {
      method: 'Standard',
      carrier: 'UPS',
      tracking: '1Z999AA10123456784',
      estimatedDelivery: '2026-11-20',
    },
    events: [
      { at: '2026-11-12T17:04:00Z', status: 'placed', note: 'Order placed online' },
      { at: '2026-11-13T09:30:00Z', status: 'processing', note: 'Picked and packed in Seattle' },
      { at: '2026-11-14T15:12:00Z', status: 'shipped', note: 'Handed to UPS' },
    ],
  },
  {
    id: 'ORD-10422',
    email: 'grace@example.com',
    placedAt: '2026-11-15T08:41:00Z',
    status: 'processing',
    lines: [{ sku: 'SB-110', name: 'Cascade 20°F Down Bag', quantity: 1, priceCents: 32900 }],
    shipping: { method: 'Express', estimatedDelivery: '2026-11-19' },
    events: [
      { at: '2026-11-15T08:41:00Z', status: 'placed', note: 'Order placed online' },
      { at: '2026-11-15T10:02:00Z', status: 'processing', note: 'Payment confirmed; waiting to be packed' },
    ],
  },
  {
    id: 'ORD-10388',
    email: 'linus@example.com',
    placedAt: '2026-11-02T19:20:00Z',
    status: 'delivered',
    lines: [
      { sku: 'FW-300', name: 'Switchback Mid Hiking Boot', quantity: 1, priceCents: 16900 },
      { sku: 'LT-700', name: 'Lumen 400 Headlamp', quantity: 2, priceCents: 4500 },
    ],
    shipping: {
      method: 'Standard',
      carrier: 'USPS',
      tracking: '9400111899223197428490',
      estimatedDelivery: '2026-11-07',
    },
    events: [
      { at: '2026-11-02T19:20:00Z', status: 'placed', note: 'Order placed online' },
      { at: '2026-11-03T11:00:00Z', status: 'processing', note: 'Picked and packed in Portland' },
      { at: '2026-11-03T16:45:00Z', status: 'shipped', note: 'Handed to USPS' },
      { at: '2026-11-06T07:58:00Z', status: 'out-for-delivery', note: 'Out for delivery' },
      { at: '2026-11-06T13:17:00Z', status: 'delivered', note: 'Delivered to the front porch' },
    ],
  },
  {
    id: 'ORD-10430',
    email: 'margaret@example.com',
    placedAt: '2026-11-16T12:00:00Z',
    status: 'out-for-delivery',
    lines: [{ sku: 'BP-045', name: 'Trailhead 45 Backpack', quantity: 1, priceCents: 17900 }],
    shipping: {
      method: 'Standard',
      carrier: 'FedEx',
      tracking: '771234567890',
      estimatedDelivery: '2026-11-18',
    },
    events: [
      { at: '2026-11-16T12:00:00Z', status: 'placed', note: 'Order placed online' },
      { at: '2026-11-16T15:30:00Z', status: 'processing', note: 'Picked and packed in Boise' },
      { at: '2026-11-17T09:10:00Z', status: 'shipped', note: 'Handed to FedEx' },
      { at: '2026-11-18T06:40:00Z', status: 'out-for-delivery', note: 'On the truck for delivery today' },
    ],
  },
  {
    id: 'ORD-10397',
    email: 'alan@example.com',
    placedAt: '2026-11-05T21:15:00Z',
    status: 'cancelled',
    lines: [{ sku: 'CK-520', name: 'Two-Burner Camp Kitchen', quantity: 1, priceCents: 15900 }],
    shipping: { method: 'Standard' },
    events: [
      { at: '2026-11-05T21:15:00Z', status: 'placed', note: 'Order placed online' },
      {
        at: '2026-11-06T08:00:00Z',
        status: 'cancelled',
        note: 'Cancelled at the customer’s request; refund issued',
      },
    ],
  },
]

/** The order, only when the e-mail matches (so an order id alone reveals nothing). */
export function findOrder(id: string, email: string): Order | undefined {
  const order = ORDERS.find((candidate) => candidate.id === id.toUpperCase())
  return order && order.email.toLowerCase() === email.trim().toLowerCase() ? order : undefined
}

export function orderTotalCents(order: Order): number {
  return order.lines.reduce((sum, line) => sum + line.quantity * line.priceCents, 0)
}
