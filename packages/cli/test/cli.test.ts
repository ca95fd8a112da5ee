import { describe, expect, it } from 'vitest'
import { runCli } from '../src/index.js'
import { captureIo } from './capture.js'
import { runIxp } from './helpers.js'

describe('ixp (dispatcher)', () => {
  it('lists the commands with --help and exits 0', async () => {
    const out = captureIo()
    expect(await runCli(['--help'], out.io)).toBe(0)
    for (const command of ['serve', 'validate', 'init', 'semantic'])
      expect(out.stdout).toContain(`  ${command}`)
  })

  it('prints the version', async () => {
    const out = captureIo()
    expect(await runCli(['--version'], out.io)).toBe(0)
    expect(out.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('exits 2 with a message for an unknown command', async () => {
    const out = captureIo()
    expect(await runCli(['serv'], out.io)).toBe(2)
    expect(out.stderr).toContain("Unknown command 'serv'")
    expect(out.stderr).toContain('CLI_USAGE')
  })

  it('exits 2 with usage on stderr when no command is given', async () => {
    const out = captureIo()
    expect(await runCli([], out.io)).toBe(2)
    expect(out.stderr).toContain('Usage: ixp <command>')
  })

  it('exits 2 for an unknown option, naming it and the help command', async () => {
    const out = captureIo()
    expect(await runCli(['serve', '--prot', '80'], out.io)).toBe(2)
    expect(out.stderr).toMatch(/Unknown option '--prot'.*ixp serve --help/)
  })

  it('exits 2 for an option missing its value', async () => {
    const out = captureIo()
    expect(await runCli(['serve', '--port'], out.io)).toBe(2)
    expect(out.stderr).toMatch(/--port <value>' argument missing/)
  })

  it.each([
    ['--port', 'eighty', '--port must be a whole number'],
    ['--port', '70000', '--port must be between 0 and 65535'],
    ['--workers', '-1', 'workers'],
    ['--base', 'ixp', "--base must start with '/'"],
    ['--cors', 'example.com', "--cors: 'example.com' is not an origin"],
    ['--shutdown-timeout', 'soon', '--shutdown-timeout must be a whole number'],
  ])('refuses %s %s as a usage error', async (flag, value, message) => {
    const out = captureIo()
    expect(await runCli(['serve', '--intents', 'intents.json', flag, value], out.io)).toBe(2)
    expect(out.stderr).toContain(message)
  })

  it('explains what to serve when there is nothing to serve', async () => {
    const out = captureIo('/')
    expect(await runCli(['serve'], out.io)).toBe(2)
    expect(out.stderr).toContain('Nothing to serve')
  })

  it.each([
    [
      'serve',
      [
        '--config <file>',
        '--port <n>',
        '--host <address>',
        '(default: 127.0.0.1)',
        '--base <path>',
        '(default: /ixp)',
        '--cors',
        '--workers',
        '--watch',
        '--shutdown-timeout <ms>',
        '(default: 10000)',
      ],
    ],
    ['validate', ['<files…>', '--format <text|json>', '(default: text)']],
    ['init', ['[dir]', '--name <name>', '--force']],
  ] as const)('ixp %s --help lists its options with defaults', async (command, expected) => {
    const out = captureIo()
    expect(await runCli([command, '--help'], out.io)).toBe(0)
    for (const text of expected) expect(out.stdout).toContain(text)
    expect(out.stdout).toContain('--debug')
  })

  it('says how to install @ixp/plugin-semantic when `ixp semantic` cannot load it', async () => {
    const { loadSemanticCli } = await import('../src/commands/semantic.js')
    await expect(loadSemanticCli('@ixp/no-such-package/cli')).rejects.toMatchObject({
      code: 'MISSING_PACKAGE',
      message: expect.stringContaining('npm install @ixp/plugin-semantic'),
    })
  })

  it('hands `ixp semantic …` to @ixp/plugin-semantic, keeping its exit codes', async () => {
    const help = captureIo()
    expect(await runCli(['semantic', '--help'], help.io)).toBe(0)
    expect(help.stdout).toContain('Usage: ixp semantic <command>')
    const wrong = captureIo()
    expect(await runCli(['semantic', 'no-such-command'], wrong.io)).toBe(2)
    expect(wrong.stderr).not.toBe('')
  })

  it('the real binary reports errors without a stack trace, and with one under --debug', async () => {
    const plain = await runIxp(['serve', '--config', 'throws.config.mjs'])
    expect(plain.code).toBe(1)
    expect(plain.stderr).toContain('CONFIG_LOAD_FAILED')
    expect(plain.stderr).toContain('the database URL is not set')
    expect(plain.stderr).not.toMatch(/\n\s+at /)
    const debug = await runIxp(['serve', '--config', 'throws.config.mjs', '--debug'])
    expect(debug.code).toBe(1)
    expect(debug.stderr).toMatch(/\n\s+at /)
  })
})
