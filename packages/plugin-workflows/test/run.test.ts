import { isIxpError, type IxpError } from '@ixp/core'
import { renderToHTML } from '@ixp/core/html'
import { describe, expect, it } from 'vitest'
import { runWorkflow, workflows, type WorkflowEvents, type WorkflowsPlugin } from '../src/index.js'
import { deferred, engineWith, intent, recorder } from './helpers.js'

async function rejection(promise: Promise<unknown>): Promise<IxpError> {
  try {
    await promise
  } catch (error) {
    if (isIxpError(error)) return error
    throw error
  }
  throw new Error('expected a rejection')
}

/** Collects every event of a plugin as `name:step` strings (or just the name). */
function eventLog(plugin: WorkflowsPlugin) {
  const log: string[] = []
  const names: (keyof WorkflowEvents)[] = [
    'workflow:start',
    'workflow:end',
    'step:start',
    'step:success',
    'step:failure',
    'step:retry',
    'step:skipped',
  ]
  for (const name of names) {
    plugin.events.on(name, ((event: { stepId?: string }) => {
      log.push(event.stepId ? `${name}:${event.stepId}` : name)
    }) as never)
  }
  return log
}

describe('running workflows', () => {
  it('runs steps in order, each reading the input and earlier results through a mapping', async () => {
    const validate = recorder((params) => ({ valid: true, total: 42, cart: params.cartId }))
    const charge = recorder((params) => ({ paymentId: `pay-${params.amount}` }))
    const engine = engineWith([
      intent('validate_cart', validate.handler),
      intent('charge_card', charge.handler),
    ])
    const plugin = workflows({
      workflows: [
        {
          id: 'checkout',
          name: 'Checkout',
          description: 'Validate then charge',
          input: { type: 'object', properties: { cartId: { type: 'string' } }, required: ['cartId'] },
          steps: [
            { id: 'validate', intentName: 'validate_cart', params: { cartId: '$input.cartId' } },
            {
              id: 'charge',
              intentName: 'charge_card',
              params: {
                amount: '$results.validate.total',
                cart: '$input.cartId',
                note: '$$literal',
                tags: ['a', 1],
              },
            },
          ],
        },
      ],
    })
    const log = eventLog(plugin)
    engine.use(plugin)

    const result = await runWorkflow(engine, 'checkout', { cartId: 'C-1' })

    expect(result.status).toBe('completed')
    expect(result.workflowId).toBe('checkout')
    expect(result.name).toBe('Checkout')
    expect(charge.calls[0]!.params).toEqual({ amount: 42, cart: 'C-1', note: '$literal', tags: ['a', 1] })
    expect(result.results).toEqual({
      validate: { cartId: 'C-1', valid: true, total: 42, cart: 'C-1' },
      charge: { amount: 42, cart: 'C-1', note: '$literal', tags: ['a', 1], paymentId: 'pay-42' },
    })
    expect(result.steps.map((step) => [step.id, step.status, step.group, step.attempts])).toEqual([
      ['validate', 'completed', 0, 1],
      ['charge', 'completed', 1, 1],
    ])
    // The step keeps its render tree as well as its props.
    expect(result.steps[0]!.tree).toEqual({
      type: 'section',
      props: { class: 'card' },
      children: ['cart,cartId,total,valid'],
    })
    expect(log).toEqual([
      'workflow:start',
      'step:start:validate',
      'step:success:validate',
      'step:start:charge',
      'step:success:charge',
      'workflow:end',
    ])
  })

  it('runs a parallel group truly concurrently and only then the next step', async () => {
    let active = 0
    let peak = 0
    const bothStarted = deferred()
    const slow = (name: string) =>
      intent(name, async () => {
        active++
        peak = Math.max(peak, active)
        if (active === 2) bothStarted.resolve()
        // Each waits until the other has started: run one after the other, they would time out instead.
        const waited = await Promise.race([
          bothStarted.promise.then(() => 'together'),
          new Promise((resolve) => setTimeout(resolve, 1_000, 'alone')),
        ])
        active--
        return { waited }
      })
    const after = recorder(() => ({ activeWhenStarted: active }))
    const engine = engineWith([
      slow('reserve_stock'),
      slow('quote_shipping'),
      intent('charge', after.handler),
    ])
    engine.use(
      workflows({
        workflows: [
          {
            id: 'checkout',
            name: 'Checkout',
            description: 'Parallel middle',
            steps: [
              { id: 'reserve', intentName: 'reserve_stock' },
              { id: 'quote', intentName: 'quote_shipping', parallel: true },
              { id: 'charge', intentName: 'charge', params: { stock: '$results.reserve.waited' } },
            ],
          },
        ],
      }),
    )
    const result = await runWorkflow(engine, 'checkout', {})
    expect(peak).toBe(2)
    expect(result.results).toMatchObject({ reserve: { waited: 'together' }, quote: { waited: 'together' } })
    expect(after.calls[0]!.params).toEqual({ stock: 'together' })
    expect(result.steps.map((step) => step.group)).toEqual([0, 0, 1])
    expect(result.results.charge).toMatchObject({ activeWhenStarted: 0 })
  })

  it('skips a step whose condition is false; the condition sees the context parameter and the results', async () => {
    const seen: unknown[] = []
    const gift = recorder(() => ({ wrapped: true }))
    const engine = engineWith([
      intent('validate', async () => ({ total: 10 })),
      intent('gift_wrap', gift.handler),
      intent('express', async () => ({ express: true })),
    ])
    const plugin = workflows({
      workflows: [
        {
          id: 'order',
          name: 'Order',
          description: 'Conditional steps',
          steps: [
            { id: 'validate', intentName: 'validate' },
            {
              id: 'wrap',
              intentName: 'gift_wrap',
              condition: (context, results, scope) => {
                seen.push(context, results.get('validate'), scope.input, scope.stepId)
                return context.gift === true
              },
            },
            {
              id: 'ship',
              intentName: 'express',
              condition: async (_context, results) =>
                (results.get('validate') as { total: number }).total > 5,
            },
          ],
        },
      ],
    })
    const log = eventLog(plugin)
    engine.use(plugin)

    const result = await runWorkflow(engine, 'order', { items: 1 }, {}, { context: { gift: false } })
    expect(result.status).toBe('completed')
    expect(result.steps.map((step) => step.status)).toEqual(['completed', 'skipped', 'completed'])
    expect(result.steps[1]!.result).toBeUndefined()
    expect(gift.calls).toHaveLength(0)
    expect(Object.keys(result.results)).toEqual(['validate', 'ship'])
    expect(seen).toEqual([{ gift: false }, { items: 1, total: 10 }, { items: 1 }, 'wrap'])
    expect(log).toContain('step:skipped:wrap')

    const wrapped = await runWorkflow(engine, 'order', { items: 1 }, {}, { context: { gift: true } })
    expect(wrapped.steps[1]!.status).toBe('completed')
    expect(gift.calls).toHaveLength(1)
  })

  it('builds parameters with transform(input, results); without params or transform a step gets the input', async () => {
    const first = recorder(() => ({ code: 'X' }))
    const second = recorder()
    const engine = engineWith([intent('first', first.handler), intent('second', second.handler)])
    engine.use(
      workflows({
        workflows: [
          {
            id: 'shape',
            name: 'Shape',
            description: 'Transforms',
            steps: [
              { id: 'one', intentName: 'first' },
              {
                id: 'two',
                intentName: 'second',
                transform: async (input: Record<string, unknown>, results) => ({
                  label: `${String(input.name)}-${(results.get('one') as { code: string }).code}`,
                }),
              },
            ],
          },
        ],
      }),
    )
    await runWorkflow(engine, 'shape', { name: 'n', extra: [1] })
    expect(first.calls[0]!.params).toEqual({ name: 'n', extra: [1] })
    expect(second.calls[0]!.params).toEqual({ label: 'n-X' })
  })

  it('runs function steps with the mapped parameters and a context carrying the caller and the trace', async () => {
    const contexts: Record<string, unknown>[] = []
    const engine = engineWith([intent('lookup', async () => ({ price: 3 }))])
    engine.use(
      workflows({
        workflows: [
          {
            id: 'calc',
            name: 'Calc',
            description: 'Function step',
            steps: [
              { id: 'lookup', intentName: 'lookup' },
              {
                id: 'double',
                params: { price: '$results.lookup.price' },
                run: (params, ctx) => {
                  contexts.push({ ...ctx, aborted: ctx.signal?.aborted })
                  return (params.price as number) * 2
                },
              },
            ],
            output: {
              total: '$results.double',
              quantity: '$input.quantity',
              missing: '$results.lookup.none',
            },
          },
        ],
      }),
    )
    const result = await runWorkflow(
      engine,
      'calc',
      { quantity: 2 },
      { requestId: 'req-1', headers: { a: 'b' } },
    )
    expect(result.results).toEqual({ total: 6, quantity: 2 })
    expect(result.steps[1]).toMatchObject({ id: 'double', status: 'completed', result: 6 })
    expect(result.steps[1]!.intentName).toBeUndefined()
    expect(contexts[0]).toMatchObject({
      requestId: 'req-1',
      headers: { a: 'b' },
      aborted: false,
      workflow: { workflowId: 'calc', stepId: 'double', stack: ['calc'], runId: result.runId },
    })
  })

  it('answers the WorkflowResult tree for a render of workflow_<id>', async () => {
    const engine = engineWith([intent('validate', async () => ({ ok: true }))])
    engine.use(
      workflows({
        workflows: [
          {
            id: 'tree',
            name: 'Tree demo',
            description: 'Rendered',
            steps: [
              { id: 'validate', intentName: 'validate' },
              { id: 'never', intentName: 'validate', condition: () => false },
            ],
          },
        ],
      }),
    )
    const rendered = await engine.render({
      intent: { name: 'workflow_tree', parameters: { input: { n: 1 } } },
    })
    expect(rendered.component.name).toBe('WorkflowResult')
    expect(rendered.ttl).toBe(0)
    expect(rendered.props).toMatchObject({ workflowId: 'tree', status: 'completed', input: { n: 1 } })
    const tree = rendered.tree as { type: string; props: Record<string, unknown>; children: any[] }
    expect(tree.type).toBe('div')
    expect(tree.props.class).toBe('workflow-result status-completed')
    expect(tree.props['data-workflow-id']).toBe('tree')
    const [header, steps, results] = tree.children
    expect(header.children[0]).toEqual({ type: 'h2', props: {}, children: ['Workflow: Tree demo'] })
    expect(header.children[1].children[0]).toEqual({
      type: 'span',
      props: { class: 'status-badge completed' },
      children: ['COMPLETED'],
    })
    expect(header.children[1].children[1].props.class).toBe('execution-time')
    const items = steps.children[1].children
    expect(
      items.map((item: { props: Record<string, unknown> }) => [item.props['data-step-id'], item.props.class]),
    ).toEqual([
      ['validate', 'step-item status-completed'],
      ['never', 'step-item status-skipped'],
    ])
    expect(items[0].children.at(-1)).toEqual({
      type: 'div',
      props: { class: 'step-result' },
      children: [{ type: 'pre', props: {}, children: [JSON.stringify({ n: 1, ok: true }, null, 2)] }],
    })
    expect(results.children[1]).toEqual({
      type: 'pre',
      props: { class: 'results-json' },
      children: [JSON.stringify({ validate: { n: 1, ok: true } }, null, 2)],
    })
    const html = renderToHTML(rendered.tree)
    expect(html).toContain('<h2>Workflow: Tree demo</h2>')
    expect(html).toContain('<div class="step-item status-skipped" data-step-id="never" data-group="1">')
    expect(engine.intents.get('workflow_tree')).toMatchObject({
      description: 'Execute workflow: Rendered',
      metadata: { workflowId: 'tree', isWorkflow: true },
      cache: false,
    })
  })

  it('refuses input the workflow schema rejects with INVALID_REQUEST, before any step runs', async () => {
    const step = recorder()
    const engine = engineWith([intent('step', step.handler)])
    engine.use(
      workflows({
        workflows: [
          {
            id: 'typed',
            name: 'Typed',
            description: 'Typed input',
            input: {
              type: 'object',
              properties: { qty: { type: 'integer', minimum: 1 } },
              required: ['qty'],
            },
            steps: [{ id: 'a', intentName: 'step' }],
          },
        ],
      }),
    )
    const error = await rejection(runWorkflow(engine, 'typed', { qty: 0 }))
    expect(error.code).toBe('INVALID_REQUEST')
    expect(error.message).toContain("at 'input.qty'")
    const missing = await rejection(engine.render({ intent: { name: 'workflow_typed', parameters: {} } }))
    expect(missing.code).toBe('INVALID_REQUEST')
    expect(missing.message).toContain("Required at 'input'")
    expect(step.calls).toHaveLength(0)
  })

  it('runWorkflow and plugin.run: unknown ids, a plugin not installed, and the same result either way', async () => {
    const engine = engineWith([intent('noop', async () => ({ done: 1 }))])
    const plugin = workflows({
      workflows: [{ id: 'w', name: 'W', description: 'd', steps: [{ id: 'a', intentName: 'noop' }] }],
    })
    expect((await rejection(plugin.run('w', {}))).code).toBe('WORKFLOW_NOT_INSTALLED')
    engine.use(plugin)
    await engine.ready()
    expect(await plugin.run('w', {})).toMatchObject({ status: 'completed', results: { a: { done: 1 } } })
    const unknown = await rejection(runWorkflow(engine, 'nope', {}))
    expect(unknown.code).toBe('WORKFLOW_NOT_FOUND')
    expect(unknown.status).toBe(404)
    // An intent that merely has the prefix is not a workflow.
    engine.registerIntent(intent('workflow_fake', async () => ({})))
    expect((await rejection(runWorkflow(engine, 'fake', {}))).code).toBe('WORKFLOW_NOT_FOUND')
    expect((await rejection(runWorkflow(engine, '', {}))).code).toBe('INVALID_REQUEST')
  })

  it('registers the WorkflowResult component only when none exists, and unregisters what it added on close', async () => {
    const engine = engineWith([intent('noop', async () => ({}))])
    const custom = { name: 'WorkflowResult', render: () => ({ type: 'custom', props: {}, children: [] }) }
    engine.registerComponent(custom)
    engine.use(
      workflows({
        workflows: [{ id: 'w', name: 'W', description: 'd', steps: [{ id: 'a', intentName: 'noop' }] }],
      }),
    )
    const rendered = await engine.render({ intent: { name: 'workflow_w', parameters: { input: {} } } })
    expect(rendered.tree).toEqual({ type: 'custom', props: {}, children: [] })

    const other = engineWith([intent('noop', async () => ({}))])
    other.use(
      workflows({
        workflows: [{ id: 'w', name: 'W', description: 'd', steps: [{ id: 'a', intentName: 'noop' }] }],
      }),
    )
    await other.ready()
    expect(other.components.has('WorkflowResult')).toBe(true)
    expect(other.intents.has('workflow_w')).toBe(true)
    await other.close()
    expect(other.components.has('WorkflowResult')).toBe(false)
    expect(other.intents.has('workflow_w')).toBe(false)
  })
})

describe('engine.runWorkflow', () => {
  it('is there while the plugin is installed and runs like runWorkflow(engine, …)', async () => {
    const engine = engineWith([intent('greet', async (params) => ({ text: `hi ${String(params.name)}` }))])
    expect(engine.runWorkflow).toBeUndefined()
    engine.use(
      workflows({
        workflows: [
          {
            id: 'hello',
            name: 'Hello',
            description: 'Greets',
            input: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
            steps: [{ id: 'greet', intentName: 'greet', params: { name: '$input.name' } }],
          },
        ],
      }),
    )
    await engine.ready()
    const result = await engine.runWorkflow!('hello', { name: 'Ada' })
    expect(result.status).toBe('completed')
    expect(result.results.greet).toEqual({ name: 'Ada', text: 'hi Ada' })
    await expect(engine.runWorkflow!('hello', {})).rejects.toMatchObject({ code: 'INVALID_REQUEST' })
    await engine.close()
    expect(engine.runWorkflow).toBeUndefined()
  })
})
