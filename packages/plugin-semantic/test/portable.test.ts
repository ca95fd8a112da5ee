import { describePortableSuite } from '../../core/test/portable/describe.js'

describePortableSuite('the plugin', './portable/suite.ts', import.meta.url, { cases: 4 })
