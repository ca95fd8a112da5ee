/**
 * Big workflows: the size is bounded where the workflow is defined (a run never does its work and then loses
 * its outcome to the render tree limit), a wide parallel group runs without piling listeners on one signal,
 * and the run's view follows the render tree convention (`class`, as HTML writes it).
 */
import type { RenderNode } from '@ixp/core'
import { renderToHTML } from '@ixp/core/html'
import { describe, expect, it } from 'vitest'
import { defineWorkflow, workflows, type WorkflowStep } from '../src/index.js'
import { engineWith, intent } from './helpers.js'

const steps = (count: number, parallel: boolean): WorkflowStep[] =>
  Array.from({ length: count }, (_, index) => ({
    id: `s${index}`,
    intentName: 'noop',
    ...(parallel && index > 0 ? { parallel: true } : {}),
  }))

function propNames(node: RenderNode, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const child of node) propNames(child as RenderNode, into)
  else if (typeof node === 'object' && node !== null && 'type' in node) {
    for (const key of Object.keys(node.props ?? {})) into.add(key)
    for (const child of node.children ?? []) propNames(child as RenderNode, into)
  }
  return into
}

describe('workflow size', () => {
  it('refuses more than 1000 steps when the workflow is defined, saying how to split it', () => {
    expect(() =>
      defineWorkflow({ id: 'huge', name: 'Huge', description: 'Too many steps', steps: steps(4_500, false) }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_DEFINITION',
        message: expect.stringContaining('at most 1000'),
      }),
    )
  })

  it('a 1000-step parallel group completes with its outcome and no MaxListenersExceededWarning', async () => {
    // Node warns once more than ten abort listeners sit on one signal; count them on every signal, exactly.
    const live = new WeakMap<EventTarget, number>()
    let most = 0
    const { addEventListener, removeEventListener } = EventTarget.prototype
    EventTarget.prototype.addEventListener = function (this: EventTarget, type, listener, options) {
      if (type === 'abort' && this instanceof AbortSignal) {
        const count = (live.get(this) ?? 0) + 1
        live.set(this, count)
        most = Math.max(most, count)
      }
      return addEventListener.call(this, type, listener, options)
    }
    EventTarget.prototype.removeEventListener = function (this: EventTarget, type, listener, options) {
      if (type === 'abort' && this instanceof AbortSignal)
        live.set(this, Math.max((live.get(this) ?? 1) - 1, 0))
      return removeEventListener.call(this, type, listener, options)
    }
    try {
      const engine = engineWith([intent('noop', async () => ({ ok: true }))])
      engine.use(
        workflows({
          workflows: [{ id: 'wide', name: 'Wide', description: 'One wide group', steps: steps(1_000, true) }],
        }),
      )
      const result = await engine.render({ intent: { name: 'workflow_wide', parameters: { input: {} } } })
      expect(result.props.status).toBe('completed')
      expect((result.props.steps as unknown[]).length).toBe(1_000)
      const html = renderToHTML(result.tree!)
      expect(html).toContain('… and 800 more steps (800 completed)')
      expect(most).toBeLessThanOrEqual(10)
    } finally {
      EventTarget.prototype.addEventListener = addEventListener
      EventTarget.prototype.removeEventListener = removeEventListener
    }
  })

  it("the run's view uses `class` (the render tree convention), rendered as HTML class attributes", async () => {
    const engine = engineWith([intent('noop', async () => ({ ok: true }))])
    engine.use(
      workflows({
        workflows: [{ id: 'small', name: 'Small', description: 'Two steps', steps: steps(2, false) }],
      }),
    )
    const result = await engine.render({ intent: { name: 'workflow_small', parameters: { input: {} } } })
    const names = propNames(result.tree!)
    expect(names).toContain('class')
    expect(names).not.toContain('className')
    expect(renderToHTML(result.tree!)).toContain('<span class="status-badge completed">COMPLETED</span>')
  })
})
