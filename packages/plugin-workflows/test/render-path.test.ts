/** Steps are renders: the real auth and cache plugins, and any hook, apply to each step. */
import { auth } from '@ixp/plugin-auth'
import { cache } from '@ixp/plugin-cache'
import { Stage, type IxpContext } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import { runWorkflow, workflows, type WorkflowDefinition } from '../src/index.js'
import { engineWith, intent, recorder } from './helpers.js'

const ALICE_KEY = 'alice-key-0123456789'
const ADMIN_KEY = 'admin-key-0123456789'
const asCaller = (key: string): IxpContext => ({ headers: { 'x-api-key': key } })

const refund: WorkflowDefinition = {
  id: 'refund',
  name: 'Refund',
  description: 'Look up an order, then refund it',
  intent: { auth: { roles: ['user'] } },
  steps: [
    { id: 'lookup', intentName: 'order_lookup' },
    { id: 'refund', intentName: 'issue_refund', params: { orderId: '$results.lookup.orderId' } },
  ],
}

describe('steps go through the render path', () => {
  it('authenticates and authorizes every step as the workflow caller (plugin-auth)', async () => {
    const refunds = recorder((params) => ({ refunded: params.orderId }))
    const engine = engineWith([
      intent('order_lookup', async (_params, ctx) => ({ orderId: 'ORD-1', viewer: ctx.user?.id })),
      intent('issue_refund', refunds.handler, { auth: { roles: ['admin'] } }),
    ])
    engine.use(
      auth({
        apiKeys: {
          keys: [
            { id: 'alice', key: ALICE_KEY, roles: ['user'] },
            { id: 'root', key: ADMIN_KEY, roles: ['admin'] },
          ],
        },
        roles: { admin: ['user'] },
      }),
    )
    engine.use(workflows({ workflows: [refund] }))

    // Anonymous callers are refused by the workflow intent itself, before any step.
    await expect(runWorkflow(engine, 'refund', {})).rejects.toMatchObject({ code: 'UNAUTHORIZED' })

    // Alice may run the workflow and look the order up, but the refund step needs an admin.
    const alice = await runWorkflow(engine, 'refund', {}, asCaller(ALICE_KEY))
    expect(alice.status).toBe('failed')
    expect(alice.results).toEqual({ lookup: { orderId: 'ORD-1', viewer: 'alice' } })
    expect(alice.steps[1]).toMatchObject({ status: 'failed', error: { code: 'FORBIDDEN' } })
    expect(refunds.calls).toHaveLength(0)

    const admin = await runWorkflow(engine, 'refund', {}, asCaller(ADMIN_KEY))
    expect(admin.status).toBe('completed')
    expect(refunds.calls[0]!.ctx.user?.id).toBe('root')
  })

  it('caches step renders (plugin-cache) but never the workflow run itself', async () => {
    const lookups = recorder(() => ({ orderId: 'ORD-2' }))
    const refunds = recorder((params) => ({ refunded: params.orderId }))
    const engine = engineWith([
      intent('order_lookup', lookups.handler),
      intent('issue_refund', refunds.handler, { cache: false }),
    ])
    engine.use(cache())
    const plugin = workflows({ workflows: [{ ...refund, intent: {} }] })
    let runs = 0
    plugin.events.on('workflow:start', () => runs++)
    engine.use(plugin)

    await runWorkflow(engine, 'refund', {})
    const second = await runWorkflow(engine, 'refund', {})
    expect(runs).toBe(2)
    expect(lookups.calls).toHaveLength(1)
    expect(refunds.calls).toHaveLength(2)
    expect(second.status).toBe('completed')
  })

  it('every hook sees each step render, with the caller fields and the step trace', async () => {
    const seen: string[] = []
    const engine = engineWith([intent('a', async () => ({})), intent('b', async () => ({}))])
    engine.hooks.admission.tapPromise({ name: 'test:trace', stage: Stage.OBSERVE_FIRST }, async (state) => {
      const trace = state.context.workflow
      seen.push(
        `${state.intent.name} ${String(state.context.requestId)} ${trace ? `${trace.workflowId}/${trace.stepId}` : '-'}`,
      )
    })
    engine.use(
      workflows({
        workflows: [
          {
            id: 'w',
            name: 'W',
            description: 'd',
            steps: [
              { id: 'first', intentName: 'a' },
              { id: 'second', intentName: 'b', parallel: true },
            ],
          },
        ],
      }),
    )
    await runWorkflow(engine, 'w', {}, { requestId: 'r-1' })
    expect(seen.sort()).toEqual(['a r-1 w/first', 'b r-1 w/second', 'workflow_w r-1 -'])
  })
})
