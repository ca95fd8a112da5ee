import { describePortableSuite } from '../../core/test/portable/describe.js'

describePortableSuite('the main entry (no context manager)', './portable/suite.ts', import.meta.url, {
  cases: 4,
})
