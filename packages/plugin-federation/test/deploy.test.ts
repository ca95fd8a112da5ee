/**
 * The deployment guide's examples, checked offline: the Kubernetes manifests parse as YAML and hold together
 * (selectors, ports, probes, the shutdown budget), and the Dockerfile follows the rules the guide promises
 * (pinned base image, production install, non-root user, exec-form entrypoint, health check).
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'

const docs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs')
const deploy = join(docs, 'deploy')

type Json = Record<string, any>

function manifests(file: string): Json[] {
  const documents = parseAllDocuments(readFileSync(join(deploy, 'k8s', file), 'utf8'))
  for (const document of documents)
    expect(document.errors, `${file}: ${document.errors.join('; ')}`).toEqual([])
  return documents.map((document) => document.toJS() as Json).filter((value) => value !== null)
}

const all = [...manifests('gateway.yaml'), ...manifests('services.yaml')]
const of = (kind: string) => all.filter((object) => object.kind === kind)

/** Seconds the guide's `--shutdown-timeout` gives requests in flight. */
function shutdownSeconds(args: string[]): number {
  const index = args.indexOf('--shutdown-timeout')
  return index >= 0 ? Number(args[index + 1]) / 1000 : 10
}

describe('Kubernetes manifests', () => {
  it('are objects with an apiVersion, a kind and a DNS-label name', () => {
    expect(all.length).toBeGreaterThanOrEqual(6)
    for (const object of all) {
      expect(typeof object.apiVersion, JSON.stringify(object).slice(0, 80)).toBe('string')
      expect(['ConfigMap', 'Deployment', 'Service', 'PodDisruptionBudget']).toContain(object.kind)
      expect(object.metadata?.name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/)
    }
    const names = all.map((object) => `${object.kind}/${object.metadata.name}`)
    expect(new Set(names).size).toBe(names.length)
  })

  it('have Deployments whose selectors match their pods, with probes, resources and a shutdown budget', () => {
    for (const deployment of of('Deployment')) {
      const name = deployment.metadata.name
      expect(deployment.apiVersion).toBe('apps/v1')
      const labels = deployment.spec.template.metadata.labels
      for (const [key, value] of Object.entries(deployment.spec.selector.matchLabels)) {
        expect(labels[key], `${name}: selector ${key}`).toBe(value)
      }
      const pod = deployment.spec.template.spec
      expect(pod.securityContext?.runAsNonRoot, name).toBe(true)
      for (const container of pod.containers) {
        expect(container.image, name).toMatch(/^[^:]+:(?!latest$)[\w.-]+$/)
        const ports = new Set(container.ports.map((port: Json) => port.name))
        expect(container.readinessProbe.httpGet.path, name).toBe('/ixp/health')
        expect(ports.has(container.readinessProbe.httpGet.port), `${name}: readiness port`).toBe(true)
        const liveness = container.livenessProbe.tcpSocket ?? container.livenessProbe.httpGet
        expect(ports.has(liveness.port), `${name}: liveness port`).toBe(true)
        expect(container.resources.requests.cpu, name).toBeTruthy()
        expect(container.resources.limits.memory, name).toBeTruthy()
        const preStop = container.lifecycle.preStop.exec.command as string[]
        expect(preStop[0]).toBe('sleep')
        const budget = Number(preStop[1]) + shutdownSeconds(container.args) + 5
        expect(budget, `${name}: preStop + shutdown + teardown within the grace period`).toBeLessThan(
          pod.terminationGracePeriodSeconds,
        )
        for (const source of container.envFrom ?? []) {
          const map = of('ConfigMap').find((config) => config.metadata.name === source.configMapRef.name)
          expect(map, `${name}: ConfigMap ${source.configMapRef.name}`).toBeDefined()
        }
      }
    }
  })

  it('have Services that select a Deployment and target a named container port', () => {
    for (const service of of('Service')) {
      const target = of('Deployment').find((deployment) =>
        Object.entries(service.spec.selector).every(
          ([key, value]) => deployment.spec.template.metadata.labels[key] === value,
        ),
      )
      expect(target, `Service ${service.metadata.name} selects no Deployment`).toBeDefined()
      const ports = new Set(
        target!.spec.template.spec.containers.flatMap((container: Json) =>
          container.ports.map((p: Json) => p.name),
        ),
      )
      for (const port of service.spec.ports) expect(ports.has(port.targetPort), port.targetPort).toBe(true)
    }
    for (const budget of of('PodDisruptionBudget')) {
      const target = of('Deployment').find((deployment) =>
        Object.entries(budget.spec.selector.matchLabels).every(
          ([key, value]) => deployment.spec.template.metadata.labels[key] === value,
        ),
      )
      expect(target).toBeDefined()
      expect(budget.spec.minAvailable).toBeLessThan(target!.spec.replicas)
    }
  })

  it('point the gateway at the services the guide describes', () => {
    const config = of('ConfigMap').find((map) => map.metadata.name === 'ixp-gateway')!
    const orders = of('Service').find((service) => service.metadata.name === 'ixp-orders')!
    expect(new URL(config.data.ORDERS_URL).hostname.split('.')[0]).toBe(orders.metadata.name)
    expect(new URL(config.data.ORDERS_URL).pathname).toBe('/ixp')
    expect(config.data.NATS_URL).toMatch(/^nats:\/\//)
    expect(config.data.REDIS_URL).toMatch(/^redis:\/\//)
  })
})

describe('Dockerfile', () => {
  const lines = readFileSync(join(deploy, 'Dockerfile'), 'utf8')
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
  const instructions = lines.map((line) => {
    const [instruction, ...rest] = line.split(/\s+/)
    return { instruction: instruction!.toUpperCase(), args: rest.join(' ') }
  })
  const known = new Set([
    'FROM',
    'WORKDIR',
    'COPY',
    'RUN',
    'ENV',
    'USER',
    'EXPOSE',
    'HEALTHCHECK',
    'STOPSIGNAL',
    'ENTRYPOINT',
    'CMD',
    'ARG',
    'LABEL',
  ])

  it('uses known instructions only, and pinned base images', () => {
    for (const { instruction } of instructions) expect(known.has(instruction), instruction).toBe(true)
    for (const { args } of instructions.filter((item) => item.instruction === 'FROM')) {
      expect(args, 'a FROM names a tag that is not latest').toMatch(
        /^[\w./-]+:(?!latest\b)[\w.-]+( AS \w+)?$/i,
      )
    }
    for (const { args } of instructions.filter((item) => item.instruction === 'WORKDIR')) {
      expect(args.startsWith('/'), 'WORKDIR is absolute').toBe(true)
    }
  })

  it('installs production dependencies from the lock file, runs as a non-root user, exec form', () => {
    const runs = instructions.filter((item) => item.instruction === 'RUN').map((item) => item.args)
    expect(runs.some((run) => /npm ci\b.*--omit=dev/.test(run))).toBe(true)
    expect(runs.some((run) => /npm install\b/.test(run))).toBe(false)
    const lastUser = instructions.filter((item) => item.instruction === 'USER').at(-1)
    expect(lastUser?.args).toBe('node')
    const userIndex = instructions.lastIndexOf(lastUser!)
    const entryIndex = instructions.findIndex((item) => item.instruction === 'ENTRYPOINT')
    expect(userIndex).toBeLessThan(entryIndex)
    for (const item of instructions.filter((entry) => ['ENTRYPOINT', 'CMD'].includes(entry.instruction))) {
      expect(Array.isArray(JSON.parse(item.args)), `${item.instruction} in exec form`).toBe(true)
    }
    expect(JSON.parse(instructions.find((item) => item.instruction === 'CMD')!.args)).toContain('serve')
  })

  it('exposes the port it serves on and checks /ixp/health', () => {
    const expose = instructions.find((item) => item.instruction === 'EXPOSE')!.args
    const port = instructions.find((item) => item.instruction === 'ENV' && /PORT=/.test(item.args))!.args
    expect(port).toContain(`PORT=${expose}`)
    const health = instructions.find((item) => item.instruction === 'HEALTHCHECK')!.args
    expect(health).toContain('/ixp/health')
    expect(JSON.parse(health.slice(health.indexOf('CMD') + 3))).toBeInstanceOf(Array)
  })
})

describe('the guide', () => {
  it('links the files it describes and covers the topics it promises', () => {
    const guide = readFileSync(join(docs, 'deploy.md'), 'utf8')
    for (const link of ['deploy/Dockerfile', 'deploy/k8s/gateway.yaml', 'deploy/k8s/services.yaml']) {
      expect(guide).toContain(`(${link})`)
    }
    for (const topic of [
      'trustProxy',
      'Graceful shutdown',
      'Health probes',
      'What state lives where',
      'Redis',
      'NATS',
    ]) {
      expect(guide).toContain(topic)
    }
  })
})
