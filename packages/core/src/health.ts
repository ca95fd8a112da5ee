/** Named health checks; the core reports its registries, plugins add theirs (a Redis store, …). */

export interface HealthCheckResult {
  status: 'pass' | 'warn' | 'fail'
  message?: string
  [key: string]: unknown
}

export type HealthCheck = () => HealthCheckResult | Promise<HealthCheckResult>

export interface HealthReport {
  /** `unhealthy` when a check fails, `degraded` when one warns, else `healthy`. */
  status: 'healthy' | 'degraded' | 'unhealthy'
  checks: Record<string, HealthCheckResult>
}

export function createHealthChecks() {
  const checks = new Map<string, HealthCheck>()
  return {
    register(name: string, check: HealthCheck): () => void {
      checks.set(name, check)
      return () => {
        if (checks.get(name) === check) checks.delete(name)
      }
    },
    async run(): Promise<HealthReport> {
      const entries = await Promise.all(
        Array.from(checks, async ([name, check]): Promise<[string, HealthCheckResult]> => {
          try {
            return [name, await check()]
          } catch (error) {
            return [name, { status: 'fail', message: (error as Error)?.message ?? String(error) }]
          }
        }),
      )
      const results = Object.fromEntries(entries)
      const statuses = entries.map(([, result]) => result.status)
      const status = statuses.includes('fail')
        ? 'unhealthy'
        : statuses.includes('warn')
          ? 'degraded'
          : 'healthy'
      return { status, checks: results }
    },
  }
}
