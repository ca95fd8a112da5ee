/**
 * The files `ixp init` writes: a config, one intent (reference-format JSON), one server-rendered component,
 * a test that renders the intent, a README. Plain ESM JavaScript with `// @ts-check`, so the project runs with
 * `npm install` and `npm start` and editors still type-check it.
 */

export interface TemplateValues {
  /** npm package name of the project. */
  name: string
  /** Version range of `@ixp/cli` and `@ixp/core`. */
  range: string
}

function packageJson({ name, range }: TemplateValues): string {
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      start: 'ixp serve',
      dev: 'ixp serve --watch',
      validate: 'ixp validate ixp.config.mjs',
      test: 'node --test',
    },
    dependencies: { '@ixp/cli': range, '@ixp/core': range },
    engines: { node: '>=20.19' },
  }
  return `${JSON.stringify(pkg, null, 2)}\n`
}

const config = `// @ts-check
import { defineConfig } from '@ixp/cli'
import { Greeting } from './components/greeting.mjs'

export default defineConfig({
  // Reference-format JSON files (reloaded by \`ixp serve --watch\`) and/or definition objects.
  intents: ['./intents.json'],
  components: [Greeting],
  http: { port: Number(process.env.PORT ?? 4100), host: '127.0.0.1', base: '/ixp' },
})
`

const intents = `${JSON.stringify(
  {
    intents: [
      {
        name: 'greet',
        description: 'Greets someone by name',
        component: 'Greeting',
        version: '1.0.0',
        parameters: {
          type: 'object',
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 80, description: 'Who to greet' },
          },
          required: ['name'],
        },
        examples: ['say hello to Ada', 'greet Grace', 'can you welcome Linus'],
      },
    ],
  },
  null,
  2,
)}\n`

const component = `// @ts-check
import { h } from '@ixp/core/tree'

/** @type {import('@ixp/core').ServerComponentDefinition<{ name: string }>} */
export const Greeting = {
  name: 'Greeting',
  description: 'A friendly greeting card',
  version: '1.0.0',
  props: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
  render: ({ name }) =>
    h('section', { class: 'greeting' }, h('h2', null, \`Hello, \${name}!\`), h('p', null, 'Welcome to IXP.')),
}
`

const test = `// @ts-check
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createEngineFromConfig } from '@ixp/cli'

const configFile = fileURLToPath(new URL('../ixp.config.mjs', import.meta.url))

test('greet renders a greeting for the given name', async () => {
  const engine = await createEngineFromConfig(configFile)
  try {
    const result = await engine.render({ intent: { name: 'greet', parameters: { name: 'Ada' } } })
    assert.equal(result.intent, 'greet')
    assert.deepEqual(result.props, { name: 'Ada' })
    assert.match(JSON.stringify(result.tree), /Hello, Ada!/)
  } finally {
    await engine.close()
  }
})

test('greet refuses a missing name', async () => {
  const engine = await createEngineFromConfig(configFile)
  try {
    await assert.rejects(engine.render({ intent: { name: 'greet', parameters: {} } }), { code: 'INVALID_REQUEST' })
  } finally {
    await engine.close()
  }
})
`

function readme({ name }: TemplateValues): string {
  return `# ${name}

An [IXP](https://www.npmjs.com/package/@ixp/core) server: one intent (\`greet\`, in \`intents.json\`) rendered by one
server-side component (\`components/greeting.mjs\`).

\`\`\`sh
npm install
npm start            # http://127.0.0.1:4100/ixp
\`\`\`

Try it:

\`\`\`sh
curl http://127.0.0.1:4100/ixp/intents
curl -X POST http://127.0.0.1:4100/ixp/render -H 'content-type: application/json' \\
  -d '{"intent":{"name":"greet","parameters":{"name":"Ada"}}}'
\`\`\`

- \`npm run dev\` reloads \`intents.json\` when it changes.
- \`npm run validate\` checks the definitions; \`npm test\` runs \`test/\`.
`
}

const gitignore = 'node_modules/\n'

/** The files of a new project, keyed by their path relative to its directory. */
export function projectFiles(values: TemplateValues): Record<string, string> {
  return {
    'package.json': packageJson(values),
    'ixp.config.mjs': config,
    'intents.json': intents,
    'components/greeting.mjs': component,
    'test/greet.test.mjs': test,
    'README.md': readme(values),
    '.gitignore': gitignore,
  }
}
