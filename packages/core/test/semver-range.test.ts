import { describe, expect, it } from 'vitest'
import { parseRange, satisfies } from '../src/plugin-host/semver-range.js'

const check = (version: string, range: string) => satisfies(version, parseRange(range)!)

describe('semver ranges of plugins', () => {
  it.each([
    ['0.1.0', '^0.1.0', true],
    ['0.1.9', '^0.1.0', true],
    ['0.2.0', '^0.1.0', false],
    ['0.0.9', '^0.1.0', false],
    ['1.4.2', '^1.2.0', true],
    ['2.0.0', '^1.2.0', false],
    ['0.0.3', '^0.0.3', true],
    ['0.0.4', '^0.0.3', false],
    ['0.9.0', '^0', true],
    ['1.0.0', '^0', false],
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.9.0', '~1', true],
    ['0.1.0', '0.1.0', true],
    ['0.1.1', '=0.1.0', false],
    ['0.1.5', '0.1.x', true],
    ['0.1.5', '0.1', true],
    ['0.2.0', '0.1.*', false],
    ['7.0.0', '*', true],
    ['7.0.0', '', true],
    ['1.5.0', '>=1.0.0 <2.0.0', true],
    ['2.0.0', '>=1.0.0 <2.0.0', false],
    ['2.0.0', '> 1', true],
    ['1.9.9', '>1', false],
    ['1.2.9', '<=1.2', true],
    ['1.3.0', '<=1.2', false],
    ['1.4.9', '1.0.0 - 1.4', true],
    ['1.5.0', '1.0.0 - 1.4', false],
    ['3.1.0', '^1.0.0 || ^3.0.0', true],
    ['2.1.0', '^1.0.0 || ^3.0.0', false],
    ['1.0.0-rc.1', '^1.0.0', false],
    ['1.0.0-rc.2', '^1.0.0-rc.1', true],
    ['1.0.0-rc.0', '^1.0.0-rc.1', false],
    ['1.0.1-rc.1', '^1.0.0-rc.1', false],
    ['2.0.0-rc.1', '<2.0.0', false],
  ])('%s against %j → %s', (version, range, expected) => {
    expect(check(version, range)).toBe(expected)
  })

  it('reads nothing else', () => {
    for (const range of ['latest', '^1.2.3.4', '>>1', '1.2.3 -', '^a']) {
      expect(parseRange(range), range).toBeUndefined()
    }
  })
})
