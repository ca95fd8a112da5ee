/**
 * The security headers the IXP reference server sends on every answer (helmet's defaults with its own
 * Content-Security-Policy), lower-cased. Clients and proxies tuned for that server see the same set.
 */
export const DEFAULT_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy':
    "default-src 'self';script-src 'self' 'unsafe-inline';connect-src 'self';img-src 'self' data: https:;" +
    "style-src 'self' 'unsafe-inline';base-uri 'self';font-src 'self' https: data:;form-action 'self';" +
    "frame-ancestors 'self';object-src 'none';script-src-attr 'none';upgrade-insecure-requests",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
})
