import { coreError, type IxpError } from '../errors.js'

/** A malformed render tree is a server-side bug: status 500, message kept out of remote answers. */
export function treeError(message: string, details?: Record<string, unknown>): IxpError {
  return coreError('INVALID_RENDER_TREE', { reason: message }, details && { details })
}
