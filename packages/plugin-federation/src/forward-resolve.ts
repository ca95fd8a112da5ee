/**
 * Free text the gateway's own resolvers did not match is asked of every service that is not known to be
 * down, at once; the most confident match among the intents the gateway registered wins.
 */
import type { IxpContext, Logger, ResolveAlternative, ResolveOutcome, ResolveQuery } from '@ixp/core'
import { resolveOf } from './answer.js'
import type { RemoteCatalog } from './catalog.js'
import type { RemoteService } from './remote-service.js'

export async function resolveRemote(
  services: readonly RemoteService[],
  catalog: RemoteCatalog,
  query: ResolveQuery,
  context: IxpContext,
  logger: Logger,
): Promise<ResolveOutcome | undefined> {
  const asked = services.filter((service) => service.policy.state !== 'open')
  const outcomes = await Promise.all(
    asked.map(async (service) => {
      const body: Record<string, unknown> = { query: query.text }
      if (query.limit !== undefined) body.limit = query.limit
      const previous = query.previousIntent ? catalog.intent(query.previousIntent) : undefined
      if (previous?.service === service) body.previousIntent = previous.remoteName
      try {
        const outcome = resolveOf(
          service.name,
          await service.callJson('resolve', 'query', body, context, context.signal),
        )
        return { service, outcome }
      } catch (error) {
        logger.warn('federation: a service could not resolve', {
          service: service.name,
          error: (error as Error).message,
        })
        return undefined
      }
    }),
  )
  let best: ResolveOutcome | undefined
  const alternatives: ResolveAlternative[] = []
  for (const answer of outcomes) {
    if (answer === undefined) continue
    const { service, outcome } = answer
    for (const alternative of outcome.alternatives) {
      const name = catalog.localName(service, alternative.intent)
      if (name !== undefined) alternatives.push({ intent: name, confidence: alternative.confidence })
    }
    if (!outcome.matched) continue
    const name = catalog.localName(service, outcome.intent)
    if (name === undefined || (best?.matched && best.confidence >= outcome.confidence)) continue
    best = { ...outcome, intent: name, source: `federation:${service.name}` }
  }
  if (best === undefined) return undefined
  const limit = query.limit ?? 3
  best.alternatives = alternatives
    .filter((alternative) => alternative.intent !== best.intent)
    .sort((a, b) => b.confidence - a.confidence)
    .slice(0, limit)
  return best
}
