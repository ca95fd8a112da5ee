/**
 * System entities: values every app needs and no example should have to teach — dates and times (chrono-node),
 * numbers, ordinals, durations, money, emails, URLs and phone numbers. Each finder returns character spans with a
 * typed value; none uses a Node built-in, so they run on edge runtimes.
 */
import * as chrono from 'chrono-node'
import { NUMBER_WORDS as CARDINALS } from '../text/number-words.js'

export const SYSTEM_ENTITIES = [
  'date',
  'time',
  'datetime',
  'number',
  'ordinal',
  'duration',
  'money',
  'email',
  'url',
  'phone',
] as const
export type SystemEntity = (typeof SYSTEM_ENTITIES)[number]

export interface SystemMatch {
  start: number
  end: number
  /** `date`: `YYYY-MM-DD`; `time`: `HH:MM`; `datetime`: ISO 8601; `duration`: seconds; `money`: `{ amount, currency }`. */
  value: unknown
}

export function isSystemEntity(name: string): name is SystemEntity {
  return (SYSTEM_ENTITIES as readonly string[]).includes(name)
}

/** Cardinals, and "a"/"an" as one ("an hour", "a dozen minutes" read as quantities here). */
const NUMBER_WORDS: Readonly<Record<string, number>> = Object.assign({ a: 1, an: 1 }, CARDINALS)
const ORDINAL_WORDS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
  eleventh: 11,
  twelfth: 12,
  thirteenth: 13,
  fourteenth: 14,
  fifteenth: 15,
  twentieth: 20,
  thirtieth: 30,
}
const UNIT_SECONDS: Record<string, number> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  day: 86400,
  days: 86400,
  week: 604800,
  weeks: 604800,
  month: 2592000,
  months: 2592000,
  year: 31536000,
  years: 31536000,
}
const CURRENCY_SIGNS: Record<string, string> = { $: 'USD', '€': 'EUR', '£': 'GBP', '¥': 'JPY', '₹': 'INR' }
const CURRENCY_WORDS: Record<string, string> = {
  dollar: 'USD',
  dollars: 'USD',
  usd: 'USD',
  bucks: 'USD',
  euro: 'EUR',
  euros: 'EUR',
  eur: 'EUR',
  pound: 'GBP',
  pounds: 'GBP',
  gbp: 'GBP',
  yen: 'JPY',
  jpy: 'JPY',
  rupees: 'INR',
  inr: 'INR',
}

const NUMBER = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?`
const B = String.raw`(?<![\p{L}\p{N}])`
const E = String.raw`(?![\p{L}\p{N}])`
const numberWord = Object.keys(NUMBER_WORDS).join('|')

const PATTERNS = {
  email: new RegExp(
    String.raw`${B}[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}${E}`,
    'gu',
  ),
  url: /\b(?:https?:\/\/|www\.)[^\s<>"']+[^\s<>"'.,;:!?)\]]/giu,
  phone: new RegExp(
    String.raw`(?<![\p{L}\p{N}+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,3}${E}`,
    'gu',
  ),
  money: new RegExp(
    String.raw`([$€£¥₹])\s?(${NUMBER})${E}|${B}(${NUMBER})\s?(${Object.keys(CURRENCY_WORDS).join('|')})${E}`,
    'giu',
  ),
  duration: new RegExp(
    String.raw`${B}(${NUMBER}|${numberWord}|half an?)\s?(${Object.keys(UNIT_SECONDS)
      .sort((a, b) => b.length - a.length)
      .join('|')})${E}`,
    'giu',
  ),
  ordinal: new RegExp(
    String.raw`${B}(?:(\d+)(?:st|nd|rd|th)|(${Object.keys(ORDINAL_WORDS).join('|')}))${E}`,
    'giu',
  ),
  number: new RegExp(
    String.raw`(?<![\p{L}\p{N}.,-])(-?(?:${NUMBER}))(?![\p{L}\p{N}]|[.,]\d)|${B}(${numberWord})${E}`,
    'giu',
  ),
}

function toNumber(text: string): number {
  return Number(text.replace(/,/g, ''))
}

function pad(value: number): string {
  return String(value).padStart(2, '0')
}

function all(pattern: RegExp, text: string, value: (match: RegExpMatchArray) => unknown): SystemMatch[] {
  const out: SystemMatch[] = []
  for (const match of text.matchAll(pattern)) {
    const found = value(match)
    if (found !== undefined)
      out.push({ start: match.index!, end: match.index! + match[0].length, value: found })
  }
  return out
}

function dates(text: string, kind: 'date' | 'time' | 'datetime', reference: Date): SystemMatch[] {
  const out: SystemMatch[] = []
  for (const result of chrono.en.casual.parse(text, reference)) {
    const start = result.start
    const hasTime = start.isCertain('hour')
    const hasDay = start.isCertain('day') || start.isCertain('weekday') || !hasTime
    if (kind === 'time' && !hasTime) continue
    if (kind === 'date' && !hasDay) continue
    const date = start.date()
    const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
    const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`
    const value = kind === 'date' ? day : kind === 'time' ? time : date.toISOString()
    out.push({ start: result.index, end: result.index + result.text.length, value })
  }
  return out
}

/** Every value of a system entity in the text. `reference` anchors relative dates ("tomorrow"). */
export function findSystem(entity: SystemEntity, text: string, reference: Date = new Date()): SystemMatch[] {
  switch (entity) {
    case 'date':
    case 'time':
    case 'datetime':
      // chrono-node is the costly one: skip it for text without a digit or a date-like word.
      if (
        !/\d|today|tonight|tomorrow|yesterday|day|week|month|year|noon|midnight|morning|evening|night|now|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec/i.test(
          text,
        )
      )
        return []
      return dates(text, entity, reference)
    case 'email':
      return all(PATTERNS.email, text, (m) => m[0])
    case 'url':
      return all(PATTERNS.url, text, (m) => m[0])
    case 'phone':
      return all(PATTERNS.phone, text, (m) => (m[0].replace(/\D/g, '').length >= 7 ? m[0] : undefined))
    case 'money':
      return all(PATTERNS.money, text, (m) =>
        m[1] !== undefined
          ? { amount: toNumber(m[2]!), currency: CURRENCY_SIGNS[m[1]]! }
          : { amount: toNumber(m[3]!), currency: CURRENCY_WORDS[m[4]!.toLowerCase()]! },
      )
    case 'duration':
      return all(PATTERNS.duration, text, (m) => {
        const amount = m[1]!.toLowerCase()
        const count = /^half/.test(amount) ? 0.5 : (NUMBER_WORDS[amount] ?? toNumber(amount))
        return count * UNIT_SECONDS[m[2]!.toLowerCase()]!
      })
    case 'ordinal':
      return all(PATTERNS.ordinal, text, (m) =>
        m[1] !== undefined ? Number(m[1]) : ORDINAL_WORDS[m[2]!.toLowerCase()],
      )
    case 'number':
      return all(PATTERNS.number, text, (m) => {
        if (m[1] !== undefined) return toNumber(m[1])
        const word = m[2]!.toLowerCase()
        return word === 'a' || word === 'an' ? undefined : NUMBER_WORDS[word]
      })
  }
}
