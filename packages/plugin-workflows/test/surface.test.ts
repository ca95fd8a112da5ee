import type { IxpContext, IxpError } from '@ixp/core'
import { describe, expect, expectTypeOf, it } from 'vitest'
import * as api from '../src/index.js'
import {
  defineWorkflow,
  workflows,
  type StepResults,
  type WorkflowResult,
  type WorkflowStatus,
  type WorkflowTrace,
} from '../src/index.js'

describe('public surface', () => {
  it('exports exactly the documented values', () => {
    expect(Object.keys(api).sort()).toEqual([
      'WORKFLOW_RESULT_COMPONENT',
      'WorkflowErrorCodes',
      'defineWorkflow',
      'isRetryable',
      'renderWorkflowResult',
      'runWorkflow',
      'systemClock',
      'workflowResultOf',
      'workflows',
    ])
  })

  it('types events, definitions and the context trace', () => {
    const plugin = workflows()
    plugin.events.on('step:retry', (event) => {
      expectTypeOf(event.error).toEqualTypeOf<IxpError>()
      expectTypeOf(event.delayMs).toEqualTypeOf<number>()
    })
    plugin.events.on('workflow:end', (event) => {
      expectTypeOf(event.status).toEqualTypeOf<WorkflowStatus>()
      expectTypeOf(event.result).toEqualTypeOf<WorkflowResult>()
    })
    expectTypeOf<IxpContext['workflow']>().toEqualTypeOf<WorkflowTrace | undefined>()
    expectTypeOf(plugin.run).returns.resolves.toEqualTypeOf<WorkflowResult>()

    const typed = defineWorkflow<{ cartId: string }>({
      id: 'typed',
      name: 'Typed',
      description: 'Typed input',
      steps: [
        {
          id: 'a',
          intentName: 'x',
          transform: (input, results) => {
            expectTypeOf(input.cartId).toEqualTypeOf<string>()
            expectTypeOf(results).toEqualTypeOf<StepResults>()
            return { cart: input.cartId }
          },
        },
      ],
    })
    expect(typed.id).toBe('typed')
    expect(api.WorkflowErrorCodes.WORKFLOW_TIMEOUT).toBe(504)
  })
})
