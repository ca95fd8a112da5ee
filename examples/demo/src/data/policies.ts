/** Store policies, answered by `store_policy`. */

export const POLICY_TOPICS = [
  'returns',
  'exchanges',
  'shipping',
  'price-match',
  'warranty',
  'rentals',
] as const
export type PolicyTopic = (typeof POLICY_TOPICS)[number]

export interface Policy {
  title: string
  summary: string
  points: string[]
}

export const POLICIES: Record<PolicyTopic, Policy> = {
  returns: {
    title: 'Returns',
    summary: 'Return anything within 60 days for a full refund to the original payment method.',
    points: [
      'Items must be clean; used gear is accepted if it failed to perform as described.',
      'Online orders can be returned in any store or by mail with the prepaid label.',
      'Refunds reach your card within 5–10 business days.',
    ],
  },
  exchanges: {
    title: 'Exchanges',
    summary: 'Swap sizes or colours for free within 60 days, in store or by mail.',
    points: [
      'We ship the replacement as soon as the original is scanned by the carrier.',
      'Price differences are refunded or charged.',
    ],
  },
  shipping: {
    title: 'Shipping',
    summary: 'Free standard shipping on orders over $75; express delivery in 1–2 business days for $15.',
    points: [
      'Standard delivery takes 3–5 business days.',
      'Orders placed before 14:00 Pacific ship the same day.',
      'We ship to every US state; stoves and fuel ship ground only.',
    ],
  },
  'price-match': {
    title: 'Price match',
    summary: 'Found it cheaper at another US retailer? We match the price up to 14 days after purchase.',
    points: [
      'The item must be identical and in stock at the other retailer.',
      'Clearance and auction prices are excluded.',
    ],
  },
  warranty: {
    title: 'Warranty',
    summary:
      'Harbor & Pine gear is guaranteed against defects in materials and workmanship for its lifetime.',
    points: [
      'Other brands carry their maker’s warranty; we handle the claim for you.',
      'Wear and tear is repaired at cost.',
    ],
  },
  rentals: {
    title: 'Rentals',
    summary: 'Rent tents, packs and sleeping bags by the day at every store.',
    points: ['Reserve up to 30 days ahead.', 'Rental fees count toward buying the same item within a week.'],
  },
}
