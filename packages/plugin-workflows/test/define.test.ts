import { isIxpError, type IxpError } from '@ixp/core'
import { describe, expect, it } from 'vitest'
import { defineWorkflow, workflows, type WorkflowDefinition } from '../src/index.js'

function problem(definition: unknown): IxpError {
  try {
    defineWorkflow(definition as WorkflowDefinition)
  } catch (error) {
    if (isIxpError(error)) return error
    throw error
  }
  throw new Error('expected the definition to be refused')
}

const base = { id: 'checkout', name: 'Checkout', description: 'Pay for a cart' }

describe('defineWorkflow: definition-time validation', () => {
  it('accepts the design example shape and returns the definition unchanged', () => {
    const definition = defineWorkflow({
      ...base,
      errorHandling: 'retry',
      maxRetries: 2,
      steps: [
        {
          id: 'validate',
          intentName: 'validate_cart',
          condition: () => true,
          transform: (input) => ({ ...input }),
        },
        { id: 'reserve', intentName: 'reserve_stock', parallel: true, retries: 1, timeoutMs: 500 },
        { id: 'quote', intentName: 'quote_shipping', parallel: true },
        { id: 'charge', intentName: 'charge_card' },
      ],
    })
    expect(definition.steps.map((step) => step.id)).toEqual(['validate', 'reserve', 'quote', 'charge'])
  })

  it('refuses duplicate step ids, naming the step and where it was first used', () => {
    const error = problem({
      ...base,
      steps: [
        { id: 'a', intentName: 'x' },
        { id: 'b', intentName: 'x' },
        { id: 'a', intentName: 'y' },
      ],
    })
    expect(error.code).toBe('INVALID_DEFINITION')
    expect(error.message).toContain("Invalid workflow 'checkout'")
    expect(error.message).toContain("step 'a': id is used by step 1 too")
    expect(error.details).toMatchObject({ workflow: 'checkout', step: 'a' })
  })

  it('refuses a reference to a step that runs later', () => {
    const error = problem({
      ...base,
      steps: [
        { id: 'charge', intentName: 'charge_card', params: { total: '$results.quote.total' } },
        { id: 'quote', intentName: 'quote_shipping' },
      ],
    })
    expect(error.message).toContain(
      "step 'charge': params.total $results.quote.total reads step 'quote', which runs after this step",
    )
    expect(error.details?.step).toBe('charge')
  })

  it('refuses a reference to a step of the same parallel group', () => {
    const error = problem({
      ...base,
      steps: [
        { id: 'validate', intentName: 'v' },
        { id: 'reserve', intentName: 'r' },
        { id: 'quote', intentName: 'q', parallel: true, params: { items: ['$results.reserve.items'] } },
      ],
    })
    expect(error.message).toContain(
      "step 'quote': params.items.0 $results.reserve.items reads step 'reserve'",
    )
    expect(error.message).toContain('same parallel group')
  })

  it('refuses references to unknown steps, the own result, unknown roots and malformed paths', () => {
    const error = problem({
      ...base,
      steps: [
        {
          id: 'a',
          intentName: 'x',
          params: {
            missing: '$results.nope',
            own: '$results.a.value',
            root: '$payload.id',
            empty: '$input..id',
            proto: '$input.__proto__',
          },
        },
      ],
    })
    const issues = (error.details?.issues as { path: string; message: string }[]).map(
      (i) => `${i.path}: ${i.message}`,
    )
    expect(issues).toEqual([
      "params.root: '$payload.id' is not a reference: start with $input, $results.<step> or $context (write $$ for a literal $)",
      "params.empty: '$input..id' has an empty key (two dots, or a dot at the end)",
      "params.proto: '$input.__proto__' reads '__proto__', which is not allowed",
      "params.missing: $results.nope reads step 'nope', which this workflow does not have",
      "params.own: $results.a.value reads the step's own result, which does not exist yet",
    ])
  })

  it('checks $input references against an input schema that declares its properties', () => {
    const error = problem({
      ...base,
      input: { type: 'object', properties: { cartId: { type: 'string' } } },
      steps: [{ id: 'a', intentName: 'x', params: { cart: '$input.cartId', user: '$input.userId' } }],
    })
    expect(error.message).toContain(
      "params.user $input.userId reads input 'userId', which the input schema does not declare (it declares cartId)",
    )
    // An open schema (additionalProperties allowed) cannot tell: nothing is reported.
    expect(() =>
      defineWorkflow({
        ...base,
        input: { type: 'object', properties: { cartId: { type: 'string' } }, additionalProperties: true },
        steps: [{ id: 'a', intentName: 'x', params: { user: '$input.userId' } }],
      }),
    ).not.toThrow()
  })

  it('refuses a step with both or neither of intentName and run, and params with transform', () => {
    const error = problem({
      ...base,
      steps: [
        { id: 'both', intentName: 'x', run: () => ({}) },
        { id: 'neither' },
        { id: 'mixed', intentName: 'x', params: {}, transform: () => ({}) },
      ],
    })
    const issues = error.details?.issues as { step: string; path: string; message: string }[]
    expect(issues).toContainEqual({
      step: 'both',
      path: 'intentName',
      message: 'set exactly one of intentName (an intent to render) or run (a function)',
    })
    expect(issues.some((issue) => issue.step === 'neither' && issue.path === 'intentName')).toBe(true)
    expect(issues).toContainEqual({
      step: 'mixed',
      path: 'params',
      message: 'set params or transform, not both',
    })
  })

  it('reports wrong types, unknown fields (typos) and bad numbers with the field at fault', () => {
    const error = problem({
      ...base,
      errorHandling: 'ignore',
      maxRetries: -1,
      timeoutMs: 0,
      steps: [
        {
          id: 'a',
          intentName: 'x',
          retry: 3,
          condition: 'yes',
          retries: 1.5,
          timeoutMs: Number.NaN,
          parallel: 'no',
        },
      ],
      extra: true,
    })
    const paths = (error.details?.issues as { path: string }[]).map((issue) => issue.path)
    expect(paths).toEqual(
      expect.arrayContaining([
        'extra',
        'errorHandling',
        'maxRetries',
        'timeoutMs',
        'retry',
        'condition',
        'retries',
        'parallel',
      ]),
    )
    expect(error.message).toContain("step 'a': retry is not a known field")
  })

  it("names the new field of a renamed one: 'timeout' is now 'timeoutMs', for the workflow and its steps", () => {
    const error = problem({
      ...base,
      timeout: 1000,
      steps: [{ id: 'a', intentName: 'x', timeout: 50, compensate: { intentName: 'y', timeout: 50 } }],
    })
    expect(error.details?.issues).toEqual(
      expect.arrayContaining([
        { path: 'timeout', message: "was renamed 'timeoutMs'" },
        { step: 'a', path: 'timeout', message: "was renamed 'timeoutMs'" },
        { step: 'a', path: 'compensate.timeout', message: "was renamed 'timeoutMs'" },
      ]),
    )
  })

  it('refuses non-JSON mapping values and self-containing mappings', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const error = problem({
      ...base,
      steps: [
        { id: 'a', intentName: 'x', params: { when: new Date(0), fn: () => 1, loop: cyclic, n: Infinity } },
      ],
    })
    const issues = (error.details?.issues as { path: string; message: string }[]).map((i) => i.path)
    expect(issues).toEqual(['params.when', 'params.fn', 'params.loop.self', 'params.n'])
  })

  it('checks compensation references: the step itself and earlier groups only', () => {
    expect(() =>
      defineWorkflow({
        ...base,
        steps: [
          { id: 'reserve', intentName: 'r' },
          {
            id: 'charge',
            intentName: 'c',
            compensate: {
              intentName: 'refund',
              params: { payment: '$results.charge.id', hold: '$results.reserve.id' },
            },
          },
        ],
      }),
    ).not.toThrow()
    const error = problem({
      ...base,
      steps: [
        {
          id: 'reserve',
          intentName: 'r',
          compensate: { intentName: 'release', params: { charged: '$results.charge.id' } },
        },
        { id: 'charge', intentName: 'c' },
      ],
    })
    expect(error.message).toContain(
      "step 'reserve': compensate.params.charged $results.charge.id reads step 'charge'",
    )
  })

  it('refuses an intent override of the fields the plugin owns, and bad workflow ids', () => {
    const error = problem({
      ...base,
      id: 'check out',
      intent: { handler: () => ({}), auth: { public: true } },
      steps: [{ id: 'a', intentName: 'x' }],
    })
    const paths = (error.details?.issues as { path: string }[]).map((issue) => issue.path)
    expect(paths).toEqual(['id', 'intent.handler'])
  })

  it('refuses an empty or missing step list and a non-object definition', () => {
    expect(problem({ ...base, steps: [] }).message).toContain('steps must be a non-empty array of steps')
    expect(problem(null).message).toContain('A workflow definition must be an object; got null')
  })

  it('accepts $$ as an escaped literal and a single $reference as the whole parameters', () => {
    expect(() =>
      defineWorkflow({
        ...base,
        steps: [
          { id: 'a', intentName: 'x', params: { price: '$$5' } },
          { id: 'b', intentName: 'y', params: '$results.a' },
        ],
      }),
    ).not.toThrow()
    expect(problem({ ...base, steps: [{ id: 'a', intentName: 'x', params: 'literal' }] }).message).toContain(
      'params must be an object mapping or a single $reference',
    )
  })

  it('workflows() refuses two workflows with one id and options it does not know', () => {
    const one = { ...base, steps: [{ id: 'a', intentName: 'x' }] }
    expect(() => workflows({ workflows: [one, one] })).toThrow(/Two workflows have the id 'checkout'/)
    expect(() => workflows({ workflow: [one] } as never)).toThrow(/'workflow' is not an option/)
    expect(() => workflows({ retryFactor: 0.5 })).toThrow(/retryFactor must be a number from 1 to 100/)
    expect(() => workflows({ clock: { now: () => 0 } as never })).toThrow(/clock must be an object/)
  })
})
