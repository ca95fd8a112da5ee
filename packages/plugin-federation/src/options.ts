/**
 * Options of `federation()`: the services behind the gateway and how calls to them are made resilient. Every
 * problem is reported when the plugin is created, naming the option.
 */
import { isObject, type IntentDefinition } from '@ixp/core'
import { invalidOptions } from './errors.js'

/** Retries of failed queries (never of commands): exponential backoff between attempts. */
export interface RetryOptions {
  /** Attempts after the first one. @default 2 */
  maxAttempts?: number
  /** Wait before the first retry. @default 50 */
  initialDelayMs?: number
  /** Longest wait between two attempts. @default 1000 */
  maxDelayMs?: number
}

/** The circuit breaker of a service. */
export interface BreakerOptions {
  /** Consecutive failed calls that open the breaker. @default 5 */
  consecutiveFailures?: number
  /** How long the breaker stays open before one probe call is let through (half-open). @default 5000 */
  halfOpenAfterMs?: number
}

/** The bulkhead of a service: calls in flight at once, and calls waiting for a slot. */
export interface BulkheadOptions {
  /** Calls in flight at once. @default 64 */
  limit?: number
  /** Calls waiting for a slot; more are refused with `SERVICE_UNAVAILABLE`. @default 256 */
  queue?: number
}

/** Outlier ejection among the replicas of an HTTP service. */
export interface OutlierOptions {
  /** Consecutive failures of one replica that take it out of the rotation. @default 2 */
  consecutiveFailures?: number
  /** How long an ejected replica stays out before it is tried again. @default 10000 */
  ejectionMs?: number
}

/** What every service may set (the plugin-level value is the default). */
export interface ServiceCommonOptions {
  /** The service's name: in `x-ixp-service`, health and errors. Letters, digits, `-` and `_`. */
  name: string
  /** Registered names become `<prefix><name>` (intents and components); without one a clash is an error. */
  prefix?: string
  /** Headers sent on every call to this service (a key of the gateway's own, for discovery). @default {} */
  headers?: Record<string, string>
  /** Whether the caller's credential headers (`credentialHeaders`) are forwarded to this service. @default false */
  forwardCredentials?: boolean
  timeoutMs?: number
  retry?: RetryOptions | false
  breaker?: BreakerOptions
  bulkhead?: BulkheadOptions
}

/** An IXP server over HTTP: its IXP base URL (`http://orders:4100/ixp`) or the base URLs of its replicas. */
export interface HttpServiceOptions extends ServiceCommonOptions {
  url?: string
  /** Replicas, called round robin; one that keeps failing is ejected for a while. */
  urls?: string[]
  outlier?: OutlierOptions
  nats?: undefined
}

/** An IXP engine served with `natsService()`, found through the NATS micro-services API. */
export interface NatsRemoteServiceOptions extends ServiceCommonOptions {
  nats: {
    /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
    servers: string | string[]
    /** The NATS service name given to `natsService({ name })`. */
    service: string
  }
  url?: undefined
  urls?: undefined
}

export type ServiceOptions = HttpServiceOptions | NatsRemoteServiceOptions

export interface FederationOptions {
  services: ServiceOptions[]
  /** Longest wait for one call to a service (each retry has its own). @default 5000 */
  timeoutMs?: number
  /** Retries of failed queries; `false` turns them off. Commands are never retried. @default { maxAttempts: 2 } */
  retry?: RetryOptions | false
  breaker?: BreakerOptions
  bulkhead?: BulkheadOptions
  outlier?: OutlierOptions
  /** How often intent and component lists are fetched again (`0`: only at start and on NATS changes). @default 30000 */
  refreshMs?: number
  /** Request headers forwarded to every service (lower case; credential headers are never among them). @default ['accept-language'] */
  forwardHeaders?: string[]
  /** Request headers forwarded only to services with `forwardCredentials: true`. @default ['authorization', 'cookie', 'x-api-key'] */
  credentialHeaders?: string[]
  /** Adjusts a remote intent before it is registered (drop its `auth`, add `rateLimit`, …). @default as listed */
  mapIntent?: (definition: IntentDefinition, service: string) => IntentDefinition
}

export interface ResolvedRetry {
  maxAttempts: number
  initialDelayMs: number
  maxDelayMs: number
}

export interface ResolvedService {
  name: string
  prefix: string
  headers: Record<string, string>
  forwardCredentials: boolean
  timeoutMs: number
  retry: ResolvedRetry | false
  breaker: Required<BreakerOptions>
  bulkhead: Required<BulkheadOptions>
  outlier: Required<OutlierOptions>
  transport: { kind: 'http'; urls: string[] } | { kind: 'nats'; servers: string[]; service: string }
}

export interface ResolvedOptions {
  services: ResolvedService[]
  refreshMs: number
  forwardHeaders: string[]
  credentialHeaders: string[]
  mapIntent: ((definition: IntentDefinition, service: string) => IntentDefinition) | undefined
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/
const HEADER = /^[!#$%&'*+.^_`|~0-9a-z-]+$/

export function count(name: string, value: unknown, minimum: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw invalidOptions(`${name} must be an integer ≥ ${minimum}, got ${JSON.stringify(value)}`)
  }
  return value
}

function headerList(name: string, value: unknown, fallback: string[]): string[] {
  if (value === undefined) return fallback
  if (
    !Array.isArray(value) ||
    value.some((item) => typeof item !== 'string' || !HEADER.test(item.toLowerCase()))
  ) {
    throw invalidOptions(`${name} must be an array of header names`)
  }
  return value.map((item: string) => item.toLowerCase())
}

function retryOf(where: string, value: unknown, fallback: ResolvedRetry | false): ResolvedRetry | false {
  if (value === undefined) return fallback
  if (value === false) return false
  if (!isObject(value))
    throw invalidOptions(`${where} must be false or { maxAttempts?, initialDelayMs?, maxDelayMs? }`)
  const base = fallback || DEFAULT_RETRY
  return {
    maxAttempts: count(`${where}.maxAttempts`, value.maxAttempts, 0, base.maxAttempts),
    initialDelayMs: count(`${where}.initialDelayMs`, value.initialDelayMs, 0, base.initialDelayMs),
    maxDelayMs: count(`${where}.maxDelayMs`, value.maxDelayMs, 0, base.maxDelayMs),
  }
}

function sectionOf<T extends Record<string, number>>(
  where: string,
  value: unknown,
  fallback: T,
  minimums: Record<keyof T, number>,
): T {
  if (value === undefined) return fallback
  if (!isObject(value)) throw invalidOptions(`${where} must be an object`)
  const resolved = { ...fallback }
  for (const key of Object.keys(value)) {
    if (!(key in fallback))
      throw invalidOptions(`${where}.${key} is not an option (known: ${Object.keys(fallback).join(', ')})`)
  }
  for (const key of Object.keys(fallback) as (keyof T & string)[]) {
    resolved[key] = count(
      `${where}.${key}`,
      value[key],
      minimums[key] as number,
      fallback[key] as number,
    ) as T[typeof key]
  }
  return resolved
}

const DEFAULT_RETRY: ResolvedRetry = { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 1000 }
const DEFAULT_BREAKER = { consecutiveFailures: 5, halfOpenAfterMs: 5000 }
const DEFAULT_BULKHEAD = { limit: 64, queue: 256 }
const DEFAULT_OUTLIER = { consecutiveFailures: 2, ejectionMs: 10_000 }

function urlOf(where: string, value: unknown): string {
  if (typeof value !== 'string') throw invalidOptions(`${where} must be a URL string`)
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    throw invalidOptions(`${where} is not a URL: ${JSON.stringify(value)}`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalidOptions(`${where} must be an http(s) URL, got ${parsed.protocol}`)
  }
  return value.replace(/\/+$/, '')
}

function transportOf(where: string, service: Record<string, unknown>): ResolvedService['transport'] {
  const given = ['url', 'urls', 'nats'].filter((key) => service[key] !== undefined)
  if (given.length !== 1) {
    throw invalidOptions(
      `${where} needs exactly one of url, urls or nats (got ${given.join(', ') || 'none'})`,
    )
  }
  if (service.url !== undefined) return { kind: 'http', urls: [urlOf(`${where}.url`, service.url)] }
  if (service.urls !== undefined) {
    if (!Array.isArray(service.urls) || service.urls.length === 0) {
      throw invalidOptions(`${where}.urls must be a non-empty array of URLs`)
    }
    return { kind: 'http', urls: service.urls.map((url, i) => urlOf(`${where}.urls.${i}`, url)) }
  }
  const nats = service.nats
  if (!isObject(nats)) throw invalidOptions(`${where}.nats must be { servers, service }`)
  const servers = typeof nats.servers === 'string' ? [nats.servers] : nats.servers
  if (
    !Array.isArray(servers) ||
    servers.length === 0 ||
    servers.some((s) => typeof s !== 'string' || s === '')
  ) {
    throw invalidOptions(`${where}.nats.servers must be a NATS URL or an array of them`)
  }
  if (typeof nats.service !== 'string' || !NAME.test(nats.service)) {
    throw invalidOptions(`${where}.nats.service must be a NATS service name (letters, digits, - and _)`)
  }
  return { kind: 'nats', servers: servers as string[], service: nats.service }
}

function headersOf(where: string, value: unknown): Record<string, string> {
  if (value === undefined) return {}
  if (!isObject(value)) throw invalidOptions(`${where} must be an object of header names to strings`)
  const headers: Record<string, string> = {}
  for (const [name, text] of Object.entries(value)) {
    if (!HEADER.test(name.toLowerCase()) || typeof text !== 'string') {
      throw invalidOptions(`${where}.${name} must be a header name with a string value`)
    }
    headers[name.toLowerCase()] = text
  }
  return headers
}

export function resolveOptions(options: FederationOptions): ResolvedOptions {
  if (!isObject(options)) throw invalidOptions('federation() needs an options object { services, … }')
  const known = new Set([
    'services',
    'timeoutMs',
    'retry',
    'breaker',
    'bulkhead',
    'outlier',
    'refreshMs',
    'forwardHeaders',
    'credentialHeaders',
    'mapIntent',
  ])
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw invalidOptions(`'${key}' is not an option of federation()`)
  }
  if (!Array.isArray(options.services) || options.services.length === 0) {
    throw invalidOptions('services must be a non-empty array of { name, url | urls | nats }')
  }
  if (options.mapIntent !== undefined && typeof options.mapIntent !== 'function') {
    throw invalidOptions('mapIntent must be a function (definition, service) => definition')
  }
  const timeoutMs = count('timeoutMs', options.timeoutMs, 1, 5000)
  const retry = retryOf('retry', options.retry, DEFAULT_RETRY)
  const breaker = sectionOf('breaker', options.breaker, DEFAULT_BREAKER, {
    consecutiveFailures: 1,
    halfOpenAfterMs: 1,
  })
  const bulkhead = sectionOf('bulkhead', options.bulkhead, DEFAULT_BULKHEAD, { limit: 1, queue: 0 })
  const outlier = sectionOf('outlier', options.outlier, DEFAULT_OUTLIER, {
    consecutiveFailures: 1,
    ejectionMs: 1,
  })
  const credentialHeaders = headerList('credentialHeaders', options.credentialHeaders, [
    'authorization',
    'cookie',
    'x-api-key',
  ])
  const credentials = new Set(credentialHeaders)
  const names = new Set<string>()
  const services = options.services.map((given, index): ResolvedService => {
    const where = `services.${index}`
    if (!isObject(given)) throw invalidOptions(`${where} must be { name, url | urls | nats }`)
    if (typeof given.name !== 'string' || !NAME.test(given.name)) {
      throw invalidOptions(`${where}.name must be 1–64 letters, digits, - or _`)
    }
    if (names.has(given.name)) throw invalidOptions(`${where}.name '${given.name}' is used by two services`)
    names.add(given.name)
    if (given.prefix !== undefined && (typeof given.prefix !== 'string' || given.prefix === '')) {
      throw invalidOptions(`${where}.prefix must be a non-empty string`)
    }
    if (given.forwardCredentials !== undefined && typeof given.forwardCredentials !== 'boolean') {
      throw invalidOptions(`${where}.forwardCredentials must be a boolean`)
    }
    return {
      name: given.name,
      prefix: given.prefix ?? '',
      headers: headersOf(`${where}.headers`, given.headers),
      forwardCredentials: given.forwardCredentials ?? false,
      timeoutMs: count(`${where}.timeoutMs`, given.timeoutMs, 1, timeoutMs),
      retry: retryOf(`${where}.retry`, given.retry, retry),
      breaker: sectionOf(`${where}.breaker`, given.breaker, breaker, {
        consecutiveFailures: 1,
        halfOpenAfterMs: 1,
      }),
      bulkhead: sectionOf(`${where}.bulkhead`, given.bulkhead, bulkhead, { limit: 1, queue: 0 }),
      outlier: sectionOf(`${where}.outlier`, (given as HttpServiceOptions).outlier, outlier, {
        consecutiveFailures: 1,
        ejectionMs: 1,
      }),
      transport: transportOf(where, given),
    }
  })
  return {
    services,
    refreshMs: count('refreshMs', options.refreshMs, 0, 30_000),
    forwardHeaders: headerList('forwardHeaders', options.forwardHeaders, ['accept-language']).filter(
      (name) => !credentials.has(name),
    ),
    credentialHeaders,
    mapIntent: options.mapIntent,
  }
}
