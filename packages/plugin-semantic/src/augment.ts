import type { Slot } from './slots/filler.js'

/** Fields this plugin reads from intents and contexts, added to @ixp/core's types. */
export {}

declare module '@ixp/core' {
  interface IntentDefinition<Params = Record<string, unknown>> {
    /** Other names of the intent ("track package" for `order_status`): exact matches, and training text. */
    aliases?: string[]
  }
  interface ResolveMatch {
    /** Entity values found in the text (with spans and confidences), those that filled a parameter named. */
    slots?: Slot[]
  }
  interface IxpContext {
    /** The intent the conversation was last about, when the query does not carry `previousIntent`. */
    previousIntent?: string
  }
}
