import { IxpError } from '../errors.js'
import { INVALID_RENDER_TREE } from './constants.js'

/** A malformed render tree is a server-side bug: status 500, message kept out of remote answers. */
export function treeError(message: string, details?: Record<string, unknown>): IxpError {
  return new IxpError(INVALID_RENDER_TREE, message, details ? { status: 500, details } : { status: 500 })
}
