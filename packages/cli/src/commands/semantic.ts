/**
 * `ixp semantic …` — handed to `@ixp/plugin-semantic/cli` (an optional package, imported only when this
 * command runs so `ixp serve` and the others never pay for it).
 */
import { isIxpError } from '@ixp/core'
import { cliError } from '../errors.js'
import type { CliIo } from '../io.js'

/** The module `ixp semantic` delegates to. */
export const SEMANTIC_CLI_MODULE = '@ixp/plugin-semantic/cli'

interface SemanticCli {
  runSemanticCommand(argv: string[], io: CliIo): Promise<number> | number
}

function isMissing(error: unknown, specifier: string): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const message = (error as Error | undefined)?.message ?? ''
  return (
    (code === 'ERR_MODULE_NOT_FOUND' ||
      code === 'MODULE_NOT_FOUND' ||
      code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') &&
    message.includes(specifier.split('/').slice(0, 2).join('/'))
  )
}

/** Loads the semantic CLI; a missing package is `MISSING_PACKAGE` with the install command. */
export async function loadSemanticCli(specifier = SEMANTIC_CLI_MODULE): Promise<SemanticCli> {
  let module: Partial<SemanticCli>
  try {
    module = (await import(specifier)) as Partial<SemanticCli>
  } catch (error) {
    if (isIxpError(error)) throw error
    if (isMissing(error, specifier)) {
      throw cliError(
        'MISSING_PACKAGE',
        {
          reason: "'ixp semantic' needs @ixp/plugin-semantic, which is not installed",
          fix: 'install it: npm install @ixp/plugin-semantic',
        },
        { cause: error },
      )
    }
    throw error
  }
  if (typeof module.runSemanticCommand !== 'function') {
    throw cliError('MISSING_PACKAGE', {
      reason: `${specifier} does not export runSemanticCommand`,
      fix: 'update @ixp/plugin-semantic',
    })
  }
  return module as SemanticCli
}

export async function semanticCommand(argv: string[], io: CliIo): Promise<number> {
  const { runSemanticCommand } = await loadSemanticCli()
  return runSemanticCommand(argv, io)
}
