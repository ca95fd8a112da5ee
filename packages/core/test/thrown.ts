import { IxpError } from '../src/index.js'

/**
 * The `IxpError` that `run` throws synchronously. Anything else thrown is rethrown, and nothing thrown fails the
 * test. It imports only the root entry, so a test of what a subpath installs can use it.
 */
export function thrown(run: () => unknown): IxpError {
  try {
    run()
  } catch (error) {
    if (error instanceof IxpError) return error
    throw error
  }
  throw new Error('expected an IxpError to be thrown')
}
