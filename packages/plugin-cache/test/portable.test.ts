import { describePortableSuite } from '../../core/test/portable/describe.js'

describePortableSuite('the main entry', './portable/suite.ts', import.meta.url, {
  cases: 6,
  forbidden: [/ioredis/],
})
