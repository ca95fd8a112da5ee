/** Starts the demo exactly as `pnpm start` does (its `start` script) and talks to it. */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const DEMO_DIR = fileURLToPath(new URL('..', import.meta.url))
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  scripts: Record<string, string>
}

export interface Running {
  child: ChildProcess
  /** The IXP base URL printed first, e.g. http://127.0.0.1:41234/ixp. */
  url: string
  origin: string
  output(): string
  /** Resolves once the output contains `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>
  stop(): Promise<number | null>
}

const children = new Set<ChildProcess>()

export function killAll(): void {
  for (const child of children) child.kill('SIGKILL')
  children.clear()
}

/** Runs a package script through the shell with `PORT=0`, waiting for its "listening on" line. */
export function startScript(script: 'start' | 'serve', timeoutMs = 45_000): Promise<Running> {
  return startCommand(pkg.scripts[script]!, {}, timeoutMs)
}

/** Runs `ixp serve --config <config>` (a path from the demo's folder) as the `serve` script does. */
export function startServeConfig(config: string, env: Record<string, string> = {}): Promise<Running> {
  return startCommand(pkg.scripts.serve!.replace('ixp.config.ts', config), env)
}

/** Runs a command through the shell with `PORT=0` (and `env`), waiting for its "listening on" line. */
function startCommand(command: string, env: Record<string, string>, timeoutMs = 45_000): Promise<Running> {
  const child = spawn('sh', ['-c', `exec ${command}`], {
    cwd: DEMO_DIR,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      children.delete(child)
      resolve(code)
    }),
  )
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed in time:\n${output}`)), timeoutMs)
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (!match) return
      clearTimeout(timer)
      child.stdout!.off('data', check)
      const url = match[1]!
      resolve({
        child,
        url,
        origin: new URL(url).origin,
        output: () => output,
        waitFor: async (text, waitMs = 10_000) => {
          const deadline = Date.now() + waitMs
          while (!output.includes(text)) {
            if (Date.now() > deadline) throw new Error(`'${text}' not printed:\n${output}`)
            await new Promise((resolve) => setTimeout(resolve, 50))
          }
        },
        stop: () => {
          child.kill('SIGTERM')
          return exited
        },
      })
    }
    child.stdout!.on('data', check)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code} before listening:\n${output}`))
    })
  })
}

export async function render(url: string, name: string, parameters: Record<string, unknown>, headers = {}) {
  const response = await fetch(`${url}/render`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ intent: { name, parameters } }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}

/** Every text of a render tree, joined: what a reader would see. */
export function textOf(node: unknown): string {
  if (node === null || node === undefined || typeof node === 'boolean') return ''
  if (typeof node !== 'object') return String(node)
  if (Array.isArray(node)) return node.map(textOf).join('')
  return ((node as { children?: unknown[] }).children ?? []).map(textOf).join('')
}

interface TreeElement {
  type: string
  props: Record<string, unknown>
  children?: unknown[]
}

/** The elements of a render tree whose `className` lists `className`, in document order. */
export function elementsWithClass(node: unknown, className: string): TreeElement[] {
  if (node === null || typeof node !== 'object') return []
  if (Array.isArray(node)) return node.flatMap((child) => elementsWithClass(child, className))
  const element = node as TreeElement
  const classes = String(element.props?.className ?? element.props?.class ?? '').split(/\s+/)
  const own = classes.includes(className) ? [element] : []
  return [...own, ...(element.children ?? []).flatMap((child) => elementsWithClass(child, className))]
}

/** What a `WorkflowResult` tree shows: the run's status, each step's status, the final results. */
export function workflowView(tree: unknown) {
  const [root] = elementsWithClass(tree, 'workflow-result')
  const statusOf = (element: TreeElement) =>
    /\bstatus-([a-z_]+)\b/.exec(String(element.props.className))?.[1] ?? 'unknown'
  const [results] = elementsWithClass(tree, 'results-json')
  const [error] = elementsWithClass(tree, 'workflow-error')
  return {
    status: root ? statusOf(root) : undefined,
    steps: elementsWithClass(tree, 'step-item').map((step) => [
      step.props['data-step-id'],
      step.props['data-group'],
      statusOf(step),
    ]),
    results: results ? (JSON.parse(textOf(results)) as Record<string, any>) : undefined,
    error: error ? textOf(error) : undefined,
  }
}
