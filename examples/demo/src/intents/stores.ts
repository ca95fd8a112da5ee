/** Store intents: opening hours, the store locator (a remote component), policies. */
import { IxpError, type IntentDefinition } from '@ixp/core'
import Type, { type Static } from 'typebox'
import { POLICIES, POLICY_TOPICS } from '../data/policies.js'
import { DAYS, STORES, STORE_IDS, findStore, openingState, storesMatching } from '../data/stores.js'

const HoursParameters = Type.Object({
  store: Type.Optional(
    Type.Enum([...STORE_IDS], { type: 'string', description: 'Store id; every store if absent' }),
  ),
  day: Type.Optional(Type.Enum([...DAYS], { type: 'string', description: 'Only this day of the week' })),
})

/** Options of the store intents. */
export interface StoreIntentOptions {
  /** The clock used for "open now" (tests pass a fixed one). @default () => new Date() */
  now?: () => Date
}

export function storeHoursIntent(
  options: StoreIntentOptions = {},
): IntentDefinition<Static<typeof HoursParameters>> {
  const now = options.now ?? (() => new Date())
  return {
    name: 'store_hours',
    description: 'Opening hours of the stores, and whether they are open right now',
    component: 'StoreHours',
    version: '1.1.0',
    auth: { public: true },
    crawlable: true,
    tags: ['stores'],
    parameters: HoursParameters,
    examples: [
      'when are you open',
      'what time does the Seattle store close today',
      'are you open on Sunday',
      'opening hours in Boise',
      'is the Portland shop open now',
      'what are your hours on saturday',
    ],
    handler: ({ store, day }) => {
      const at = now()
      const stores = store ? [findStore(store)!] : [...STORES]
      return {
        day: day ?? null,
        stores: stores.map((candidate) => ({
          name: candidate.name,
          phone: candidate.phone,
          ...openingState(candidate, at),
          hours: (day ? [day] : DAYS).map((weekday) => ({ day: weekday, hours: candidate.hours[weekday] })),
        })),
      }
    },
  }
}

const FindStoreParameters = Type.Object({
  city: Type.Optional(Type.String({ minLength: 2, maxLength: 60, description: 'City or neighbourhood' })),
})

export const findStoreIntent: IntentDefinition<Static<typeof FindStoreParameters>> = {
  name: 'find_store',
  description: 'Stores near a city, on an interactive map',
  component: 'StoreLocator',
  version: '1.0.0',
  auth: { public: true },
  crawlable: true,
  tags: ['stores'],
  parameters: FindStoreParameters,
  examples: [
    'where is your nearest store',
    // Annotated: the resolver learns where a city stands in a sentence ("nearest store in Spokane").
    'do you have a shop in [Portland](city)',
    'store locations',
    'find a store near [Seattle](city)',
    'what is the address of the [Boise](city) store',
    'nearest store in [Tacoma](city)',
    'stores around [Eugene](city)',
  ],
  handler: ({ city }) => {
    const stores = storesMatching(city)
    if (stores.length === 0 && city) {
      throw new IxpError(
        'STORE_NOT_FOUND',
        `No store in or near '${city}'; we are in ${STORES.map((s) => s.city).join(', ')}`,
        {
          status: 404,
        },
      )
    }
    return {
      stores: stores.map(({ id, name, address, phone, latitude, longitude, services }) => ({
        id,
        name,
        address,
        phone,
        latitude,
        longitude,
        services,
      })),
    }
  },
}

const PolicyParameters = Type.Object({
  topic: Type.Enum([...POLICY_TOPICS], { type: 'string', description: 'Which policy' }),
})

export const storePolicyIntent: IntentDefinition<Static<typeof PolicyParameters>> = {
  name: 'store_policy',
  description: 'Store policies: returns, exchanges, shipping, price match, warranty, rentals',
  component: 'PolicyAnswer',
  version: '1.0.0',
  auth: { public: true },
  crawlable: true,
  tags: ['help'],
  parameters: PolicyParameters,
  examples: [
    'what is your return policy',
    'can I exchange boots for another size',
    'how much is shipping',
    'do you price match',
    'is there a warranty on tents',
    'can I rent a tent',
  ],
  handler: ({ topic }) => ({ topic, policy: POLICIES[topic] }),
}
