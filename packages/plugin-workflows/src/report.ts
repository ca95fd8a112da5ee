/** How errors appear in run records: what a remote caller may see of an `IxpError`. */
import type { IxpError } from '@ixp/core'
import type { StepError } from './types.js'

const HIDDEN = 'The step failed with an internal error'

/** Code, message and details of an exposable error; only the code of one that is not. */
export function toStepError(error: IxpError): StepError {
  if (!error.expose) return { code: error.code, message: HIDDEN }
  return error.details === undefined
    ? { code: error.code, message: error.message }
    : { code: error.code, message: error.message, details: error.details }
}
