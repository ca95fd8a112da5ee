import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import { compileParameters, createEngine, IxpError, type ValidationIssue } from '../src/index.js'

const strip = { additionalProperties: 'strip' as const, maxDepth: 64 }
const reject = { additionalProperties: 'reject' as const, maxDepth: 64 }

function issues(outcome: ReturnType<ReturnType<typeof compileParameters>>): ValidationIssue[] {
  if (outcome.ok) throw new Error('expected issues')
  return outcome.issues
}

describe('one validator, many calls', () => {
  it('reports each call on its own, also after a getter threw midway or validated again inside', () => {
    const validate = compileParameters(
      { type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string' } } } } },
      reject,
    )
    expect(issues(validate({ a: { b: 'x', extra: 1 } })).map((issue) => issue.path.join('.'))).toEqual([
      'a.extra',
    ])
    expect(validate({ a: { b: 'y' } })).toEqual({ ok: true, value: { a: { b: 'y' } } })
    const throwing = {
      a: {
        get b(): string {
          throw new Error('getter failed')
        },
      },
    }
    expect(() => validate(throwing)).toThrow('getter failed')
    expect(issues(validate({ a: { z: 1 } })).map((issue) => issue.path.join('.'))).toEqual(['a.z'])
    const nested = {
      a: {
        get b(): string {
          expect(issues(validate({ a: { inner: 1 } })).map((issue) => issue.path.join('.'))).toEqual([
            'a.inner',
          ])
          return 'ok'
        },
        outer: 1,
      },
    }
    expect(issues(validate(nested)).map((issue) => issue.path.join('.'))).toEqual(['a.outer'])
  })
})

describe('parameter validation', () => {
  const schema = {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 5 },
      theme: { type: 'string', enum: ['light', 'dark'] },
      limit: { type: 'integer', minimum: 1, maximum: 50 },
      ratio: { type: 'number', exclusiveMinimum: 0 },
      code: { type: 'string', pattern: '[0-9]{3}' },
      tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 2 },
      flag: { type: 'boolean' },
      address: { type: 'object', properties: { zip: { type: 'string' } }, required: ['zip'] },
      free: { type: 'object' },
      anything: {},
    },
    required: ['name'],
  }
  const validate = compileParameters(schema, strip)

  it('accepts valid values and strips undeclared keys at every declared level', () => {
    const outcome = validate({
      name: 'ab',
      extra: 1,
      address: { zip: '1', junk: true },
      free: { kept: { deep: 1 } },
    })
    expect(outcome).toEqual({
      ok: true,
      value: { name: 'ab', address: { zip: '1' }, free: { kept: { deep: 1 } } },
    })
  })

  it('reports every problem with its path', () => {
    const found = issues(
      validate({
        name: '',
        theme: 'blue',
        limit: 51,
        ratio: 0,
        code: 'abc',
        tags: [],
        flag: 'yes',
        address: {},
      }),
    )
    expect(found.map((issue) => [issue.path.join('.'), issue.keyword])).toEqual([
      ['name', 'minLength'],
      ['theme', 'enum'],
      ['limit', 'maximum'],
      ['ratio', 'exclusiveMinimum'],
      ['code', 'pattern'],
      ['tags', 'minItems'],
      ['flag', 'type'],
      ['address.zip', 'required'],
    ])
    expect(found.every((issue) => issue.pointer === `/${issue.path.join('/')}`)).toBe(true)
  })

  it('does not coerce and does not accept null for optional properties', () => {
    expect(issues(validate({ name: 'a', limit: '10' }))[0]).toMatchObject({
      path: ['limit'],
      keyword: 'type',
    })
    expect(issues(validate({ name: 'a', theme: null }))[0]).toMatchObject({ path: ['theme'] })
  })

  it('rejects undeclared keys when configured', () => {
    const strict = compileParameters(schema, reject)
    expect(
      issues(strict({ name: 'a', extra: 1, address: { zip: '1', junk: 2 } })).map((i) => i.path.join('.')),
    ).toEqual(['extra', 'address.junk'])
  })

  it('rejects prototype-polluting keys anywhere and never pollutes', () => {
    const polluted = JSON.parse(
      '{"name":"a","free":{"x":{"__proto__":{"polluted":true}}},"constructor":{"prototype":1}}',
    )
    const found = issues(validate(polluted))
    expect(found.map((i) => [i.path.join('.'), i.keyword])).toEqual([
      ['free.x.__proto__', 'forbiddenKey'],
      ['constructor', 'forbiddenKey'],
    ])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(issues(validate({ name: 'a', anything: [{ prototype: 1 }] }))[0]?.path).toEqual([
      'anything',
      0,
      'prototype',
    ])
  })

  it('bounds the depth without recursion limits', () => {
    let deep: unknown = {}
    for (let i = 0; i < 100_000; i++) deep = { a: deep }
    const found = issues(validate({ name: 'a', free: deep }))
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ keyword: 'maxDepth' })
  })

  it('accepts TypeBox schemas and plain JSON Schema alike', () => {
    const typed = compileParameters(
      Type.Object({ q: Type.String(), n: Type.Optional(Type.Number()) }) as never,
      strip,
    )
    expect(typed({ q: 'x', n: 1, other: 2 })).toEqual({ ok: true, value: { q: 'x', n: 1 } })
    expect(issues(typed({ n: 'x' })).map((i) => i.path.join('.'))).toEqual(['q', 'n'])
  })

  it('keeps explicit additionalProperties schemas', () => {
    const open = compileParameters(
      { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'number' } },
      strip,
    )
    expect(open({ a: 'x', b: 1 })).toEqual({ ok: true, value: { a: 'x', b: 1 } })
    expect(open({ a: 'x', b: 'no' }).ok).toBe(false)
    const closed = compileParameters(
      { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false },
      strip,
    )
    expect(closed({ a: 'x', b: 1 }).ok).toBe(false)
  })

  it('compiles once per intent at registration, not per request', async () => {
    const engine = createEngine({ validation: { additionalProperties: 'reject' } })
    engine.registerComponent({ name: 'C', render: () => null })
    engine.registerIntent({
      name: 'i',
      description: 'd',
      component: 'C',
      parameters: { type: 'object', properties: { a: { type: 'string' } } },
    })
    await expect(engine.render({ intent: { name: 'i', parameters: { b: 1 } } })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      details: { validationErrors: [{ path: ['b'], keyword: 'additionalProperties' }] },
    })
    expect(() =>
      engine.registerIntent({
        name: 'bad',
        description: 'd',
        component: 'C',
        parameters: { type: 'object', properties: { a: { type: 'string', pattern: '(' } } },
      }),
    ).toThrow(IxpError)
  })
})

describe('TypeBox schemas in definitions', () => {
  it('type-check and validate as parameters', async () => {
    const engine = createEngine()
    engine.registerComponent({ name: 'C', render: (props) => String(props.q) })
    engine.registerIntent({
      name: 'typed',
      description: 'TypeBox parameters',
      component: 'C',
      parameters: Type.Object({ q: Type.String({ minLength: 1 }) }),
    })
    expect((await engine.render({ intent: { name: 'typed', parameters: { q: 'x' } } })).tree).toBe('x')
    await expect(engine.render({ intent: { name: 'typed', parameters: { q: '' } } })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    })
  })
})

describe('copying parameters only when something changes', () => {
  const schema = {
    type: 'object',
    properties: { id: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
  }

  it('hands a flat value with nothing to drop through as it is', () => {
    const value = { id: 'p-1' }
    const outcome = compileParameters(schema, strip)(value)
    expect(outcome.ok && outcome.value).toBe(value)
  })

  it('copies when a key is dropped or a value is nested, leaving the caller’s object as it was', () => {
    const validate = compileParameters(schema, strip)
    const extra = { id: 'p-1', extra: true }
    const stripped = validate(extra)
    expect(stripped.ok && stripped.value).toEqual({ id: 'p-1' })
    expect(extra).toEqual({ id: 'p-1', extra: true })
    const nested = { id: 'p-1', tags: ['a'] }
    const copied = validate(nested)
    expect(copied.ok && copied.value).toEqual(nested)
    expect(copied.ok && copied.value).not.toBe(nested)
  })

  it('still reports a forbidden or undeclared key on the fast path', () => {
    const polluted = JSON.parse('{"id":"p-1","__proto__":"x"}') as Record<string, unknown>
    expect(issues(compileParameters(schema, strip)(polluted))[0]!.keyword).toBe('forbiddenKey')
    expect(issues(compileParameters(schema, reject)({ id: 'p-1', extra: 1 }))[0]!.keyword).toBe(
      'additionalProperties',
    )
  })
})

describe('validator.parse (what a render calls)', () => {
  it('gives the parameters to use, or throws INVALID_REQUEST with the same issues as the outcome', () => {
    const validate = compileParameters(
      { type: 'object', properties: { id: { type: 'string' }, n: { type: 'integer' } }, required: ['id'] },
      strip,
    )
    const clean = { id: 'p-1', n: 2 }
    expect(validate.parse(clean)).toBe(clean)
    expect(validate.parse({ id: 'p-1', extra: true })).toEqual({ id: 'p-1' })
    for (const bad of [{ n: 2 }, { id: 'p-1', n: 1.5 }, 'text', undefined]) {
      const expected = issues(validate(bad))
      let thrown: unknown
      try {
        validate.parse(bad)
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(IxpError)
      expect((thrown as IxpError).code).toBe('INVALID_REQUEST')
      expect((thrown as IxpError).details).toEqual({ validationErrors: expected })
    }
  })
})
