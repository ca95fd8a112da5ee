/**
 * The checks of remote components (rendered by the client from `remoteUrl`): the module's URL and export, the
 * framework, the props schema, allowed origins, performance fields and the security policy with its CSP.
 */
import { isRecord, type Checker, type DefinitionRules, type Fields } from '../definitions.js'
import type { ComponentDefinition, RemoteComponentDefinition, SecurityPolicy } from '../types.js'

const FRAMEWORKS = ['react', 'vue', 'vanilla']
const PROP_TYPES = ['string', 'number', 'boolean', 'object', 'array']
const CSP_DIRECTIVES = new Set([
  'default-src',
  'script-src',
  'style-src',
  'img-src',
  'connect-src',
  'font-src',
  'object-src',
  'media-src',
  'frame-src',
  'worker-src',
  'manifest-src',
  'base-uri',
  'form-action',
  'frame-ancestors',
])
const SIZE_PATTERN = /^\d+(\.\d+)?(KB|MB)$/
const TIME_PATTERN = /^\d+(\.\d+)?(ms|s)$/

/** The default security policy of a remote component that declares none (as the IXP reference fills it). */
export const DEFAULT_SECURITY_POLICY: Readonly<SecurityPolicy> = Object.freeze({
  allowEval: false,
  sandboxed: true,
  maxBundleSize: '200KB',
})

function checkSecurityPolicy(check: Checker, policy: unknown): void {
  if (policy === undefined) return
  if (!isRecord(policy)) return check.fail('securityPolicy', 'must be an object')
  for (const key of ['allowEval', 'sandboxed'] as const) {
    if (policy[key] !== undefined && typeof policy[key] !== 'boolean') {
      check.fail(`securityPolicy.${key}`, 'must be a boolean')
    }
  }
  if (policy.maxBundleSize !== undefined && typeof policy.maxBundleSize !== 'string') {
    check.fail('securityPolicy.maxBundleSize', 'must be a string')
  }
  if (policy.csp === undefined) return
  if (!isRecord(policy.csp)) return check.fail('securityPolicy.csp', 'must be an object')
  for (const [directive, sources] of Object.entries(policy.csp)) {
    const path = `securityPolicy.csp.${directive}`
    if (!CSP_DIRECTIVES.has(directive)) check.fail(path, 'is not a known CSP directive')
    if (!Array.isArray(sources) || sources.some((source) => typeof source !== 'string')) {
      check.fail(path, 'must be an array of strings')
    } else if (directive === 'script-src' && sources.includes("'unsafe-eval'")) {
      check.fail(path, "must not allow 'unsafe-eval'")
    }
  }
}

/** Every problem with the remote fields of a component definition, recorded on `check`. */
export function checkRemote(check: Checker, fields: Fields, rules: DefinitionRules): void {
  const remoteUrl = fields.remoteUrl
  if (typeof remoteUrl !== 'string' || remoteUrl === '') {
    check.fail(
      'remoteUrl',
      'must be a URL string (remote components need one, server components a render function)',
    )
  } else {
    try {
      new URL(remoteUrl, 'http://localhost')
    } catch {
      check.fail('remoteUrl', 'must be a valid URL')
    }
  }
  check.nonEmptyString('exportName', true)
  check.nonEmptyString('version', rules.reference)
  const framework = fields.framework
  if (framework !== undefined || rules.reference) {
    if (typeof framework !== 'string' || !FRAMEWORKS.includes(framework)) {
      check.fail('framework', `must be one of ${FRAMEWORKS.join(', ')}`)
    }
  }
  check.objectSchema('propsSchema', rules.reference)
  const properties = isRecord(fields.propsSchema) ? fields.propsSchema.properties : undefined
  if (isRecord(properties)) {
    for (const [key, schema] of Object.entries(properties)) {
      const type = isRecord(schema) ? schema.type : undefined
      if (typeof type !== 'string' || !PROP_TYPES.includes(type)) {
        check.fail(`propsSchema.properties.${key}.type`, `must be one of ${PROP_TYPES.join(', ')}`)
      }
    }
  }
  check.stringArray('allowedOrigins', rules.reference)
  const performance = fields.performance
  if (performance !== undefined) {
    if (!isRecord(performance)) {
      check.fail('performance', 'must be an object')
    } else {
      const { bundleSizeGzipped, tti } = performance
      if (
        bundleSizeGzipped !== undefined &&
        (typeof bundleSizeGzipped !== 'string' || !SIZE_PATTERN.test(bundleSizeGzipped))
      ) {
        check.fail('performance.bundleSizeGzipped', 'must match ^\\d+(\\.\\d+)?(KB|MB)$')
      }
      if (tti !== undefined && (typeof tti !== 'string' || !TIME_PATTERN.test(tti))) {
        check.fail('performance.tti', 'must match ^\\d+(\\.\\d+)?(ms|s)$')
      }
    }
  }
  checkSecurityPolicy(check, fields.securityPolicy)
}

/** Fills what a remote component leaves out the way the IXP reference does (its security policy). */
export function withRemoteDefaults(definition: RemoteComponentDefinition): ComponentDefinition {
  if (definition.securityPolicy !== undefined) return definition
  return { ...definition, securityPolicy: { ...DEFAULT_SECURITY_POLICY } }
}
