/**
 * The agreement between `natsService()` and a gateway's NATS transport: endpoint names (the IXP operations),
 * where changes are announced, and how an answer travels (a success is the IXP JSON body; an error is a NATS
 * micro-services error whose code is the HTTP status and whose data is the IXP error body).
 */
import { headers as natsHeaders, type MsgHdrs } from 'nats'

/** Subject on which every instance of service `name` announces that its intents or instances changed. */
export function changesSubject(service: string): string {
  return `ixp.changes.${service}`
}

/** The default subject prefix of a service's endpoints (`ixp.<name>.render`, …). */
export function defaultSubject(service: string): string {
  return `ixp.${service}`
}

/** Metadata key of a `natsService()` instance: marks it as an IXP engine (other services are not). */
export const IXP_METADATA_KEY = 'ixp_protocol'
export const IXP_METADATA_VALUE = '1.0.0'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function encode(text: string): Uint8Array {
  return encoder.encode(text)
}

export function decode(data: Uint8Array): string {
  return decoder.decode(data)
}

/** A plain record (lower-case names) of NATS message headers; the first value of each. */
export function headersOf(given: MsgHdrs | undefined): Record<string, string> {
  const result: Record<string, string> = {}
  if (!given) return result
  for (const [name, values] of given) {
    const key = name.toLowerCase()
    if (result[key] === undefined && values[0] !== undefined) result[key] = values[0]
  }
  return result
}

/** NATS message headers of a plain record (empty values are left out). */
export function toNatsHeaders(given: Record<string, string>): MsgHdrs | undefined {
  const entries = Object.entries(given).filter(([, value]) => value !== '')
  if (entries.length === 0) return undefined
  const result = natsHeaders()
  for (const [name, value] of entries) result.set(name, value)
  return result
}
