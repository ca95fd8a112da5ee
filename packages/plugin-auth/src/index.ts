/**
 * @ixp/plugin-auth — authentication and authorization for IXP Engine: Bearer JWTs, API keys, a role
 * hierarchy, per-intent requirements, discovery filtering and TOTP / backup-code second factors.
 * This file is the package's public API. Web Crypto only: it runs on Node 20+, workerd and other edges.
 */
export { auth, type AuthPlugin } from './plugin.js'
export type {
  ApiKeyConfig,
  ApiKeyOptions,
  ApiKeyRecord,
  AuthOptions,
  JwtClaimNames,
  JwtOptions,
  MfaOptions,
} from './options.js'
export type { AuthMethod, AuthRequirement, MfaRequirement, Principal, PrincipalInput } from './types.js'
export { AuthErrorCodes, type AuthErrorCode } from './errors.js'
export { hashApiKey } from './credentials/api-keys.js'
export {
  generateTotp,
  generateTotpSecret,
  totpUri,
  verifyTotp,
  type GenerateTotpSecretOptions,
  type TotpAlgorithm,
  type TotpOptions,
  type TotpUriOptions,
  type TotpVerification,
  type TotpVerifyOptions,
} from './mfa/totp.js'
export {
  createBackupCodes,
  verifyBackupCode,
  type BackupCodeVerification,
  type BackupCodes,
  type BackupCodesOptions,
  type VerifyBackupCodeOptions,
} from './mfa/backup-codes.js'
export { createMemoryReplayStore, type MemoryReplayStoreOptions, type ReplayStore } from './mfa/replay.js'
export {
  createMemoryAttemptStore,
  type AttemptStore,
  type MemoryAttemptStoreOptions,
} from './mfa/attempts.js'
