/** The store's shops: addresses, coordinates, opening hours (local time) and holiday closures. */

export const STORE_IDS = ['seattle', 'portland', 'boise'] as const
export type StoreId = (typeof STORE_IDS)[number]

export const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const
export type Day = (typeof DAYS)[number]

/** Opening hours of one day, `HH:MM` local time; `null` when closed all day. */
export type Hours = { open: string; close: string } | null

export interface Store {
  id: StoreId
  name: string
  city: string
  address: string
  phone: string
  timeZone: string
  latitude: number
  longitude: number
  hours: Record<Day, Hours>
  /** Dates (`YYYY-MM-DD`, local) the store is closed, with the reason. */
  closures: Record<string, string>
  services: string[]
}

const weekdays = { open: '09:00', close: '20:00' }

export const STORES: readonly Store[] = [
  {
    id: 'seattle',
    name: 'Harbor & Pine Seattle',
    city: 'Seattle',
    address: '1420 Western Ave, Seattle, WA 98101',
    phone: '+1 206 555 0142',
    timeZone: 'America/Los_Angeles',
    latitude: 47.6087,
    longitude: -122.3404,
    hours: {
      monday: weekdays,
      tuesday: weekdays,
      wednesday: weekdays,
      thursday: { open: '09:00', close: '21:00' },
      friday: { open: '09:00', close: '21:00' },
      saturday: { open: '08:00', close: '21:00' },
      sunday: { open: '10:00', close: '18:00' },
    },
    closures: { '2026-12-25': 'Christmas Day', '2027-01-01': "New Year's Day" },
    services: ['rentals', 'bike repair', 'ski tuning'],
  },
  {
    id: 'portland',
    name: 'Harbor & Pine Portland',
    city: 'Portland',
    address: '1111 NW Davis St, Portland, OR 97209',
    phone: '+1 503 555 0111',
    timeZone: 'America/Los_Angeles',
    latitude: 45.5245,
    longitude: -122.6829,
    hours: {
      monday: { open: '10:00', close: '19:00' },
      tuesday: { open: '10:00', close: '19:00' },
      wednesday: { open: '10:00', close: '19:00' },
      thursday: { open: '10:00', close: '19:00' },
      friday: { open: '10:00', close: '20:00' },
      saturday: { open: '09:00', close: '20:00' },
      sunday: { open: '10:00', close: '17:00' },
    },
    closures: { '2026-12-25': 'Christmas Day' },
    services: ['rentals', 'climbing wall'],
  },
  {
    id: 'boise',
    name: 'Harbor & Pine Boise',
    city: 'Boise',
    address: '805 W Idaho St, Boise, ID 83702',
    phone: '+1 208 555 0805',
    timeZone: 'America/Boise',
    latitude: 43.6167,
    longitude: -116.2033,
    hours: {
      monday: null,
      tuesday: { open: '10:00', close: '18:00' },
      wednesday: { open: '10:00', close: '18:00' },
      thursday: { open: '10:00', close: '18:00' },
      friday: { open: '10:00', close: '19:00' },
      saturday: { open: '09:00', close: '19:00' },
      sunday: { open: '11:00', close: '16:00' },
    },
    closures: { '2026-12-25': 'Christmas Day', '2026-11-26': 'Thanksgiving' },
    services: ['rentals', 'river gear'],
  },
]

export function findStore(id: string): Store | undefined {
  return STORES.find((store) => store.id === id)
}

/** Stores whose city or name contains `text` (case-insensitive); every store for no text. */
export function storesMatching(text: string | undefined): Store[] {
  const needle = text?.trim().toLowerCase()
  if (!needle) return [...STORES]
  return STORES.filter((store) =>
    `${store.city} ${store.name} ${store.address}`.toLowerCase().includes(needle),
  )
}

/** The local date, weekday and `HH:MM` time of an instant in a store's time zone. */
export function localTime(store: Store, at: Date): { date: string; day: Day; time: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: store.timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    weekday: 'long',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at)
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((part) => part.type === type)?.value ?? ''
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    day: get('weekday').toLowerCase() as Day,
    time: `${get('hour')}:${get('minute')}`,
  }
}

/** Whether a store is open at an instant, and until / from when. */
export function openingState(store: Store, at: Date): { open: boolean; note: string } {
  const { date, day, time } = localTime(store, at)
  const closure = store.closures[date]
  if (closure) return { open: false, note: `Closed today (${closure})` }
  const hours = store.hours[day]
  if (!hours) return { open: false, note: 'Closed today' }
  if (time < hours.open) return { open: false, note: `Opens today at ${hours.open}` }
  if (time >= hours.close) return { open: false, note: `Closed for the day (closed at ${hours.close})` }
  return { open: true, note: `Open until ${hours.close}` }
}
