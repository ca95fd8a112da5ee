/** Order intents. */
import { IxpError, type IntentDefinition } from '@ixp/core'
import Type, { type Static } from 'typebox'
import { findOrder, orderTotalCents } from '../data/orders.js'
import { formatPrice } from '../data/catalog.js'

const OrderParameters = Type.Object({
  orderId: Type.String({ pattern: '^[Oo][Rr][Dd]-\\d{5}$', description: 'Order number, e.g. ORD-10421' }),
  email: Type.String({
    minLength: 3,
    maxLength: 254,
    pattern: '^[^@\\s]+@[^@\\s]+$',
    description: 'E-mail address the order was placed with',
  }),
})

export const orderStatusIntent: IntentDefinition<Static<typeof OrderParameters>> = {
  name: 'order_status',
  description: 'Where an order is: status, tracking, delivery estimate and history',
  component: 'OrderTracker',
  version: '2.0.0',
  auth: { public: true },
  tags: ['orders'],
  // Orders are personal: never cache a render longer than a minute.
  ttl: 60,
  parameters: OrderParameters,
  examples: [
    'where is my order ORD-10421',
    'track my package',
    'has my order shipped yet',
    'when will order ORD-10388 arrive',
    'what is the status of my purchase',
    'I never received my delivery',
  ],
  handler: ({ orderId, email }) => {
    const order = findOrder(orderId, email)
    if (!order) {
      // The same answer for a wrong id and a wrong e-mail: an order number alone must reveal nothing.
      throw new IxpError(
        'ORDER_NOT_FOUND',
        'No order matches that number and e-mail address; check both and try again',
        {
          status: 404,
        },
      )
    }
    return {
      order: {
        id: order.id,
        status: order.status,
        placedAt: order.placedAt,
        total: formatPrice(orderTotalCents(order)),
        lines: order.lines.map((line) => ({
          name: line.name,
          quantity: line.quantity,
          price: formatPrice(line.priceCents * line.quantity),
        })),
        shipping: order.shipping,
        events: order.events,
      },
    }
  },
}
