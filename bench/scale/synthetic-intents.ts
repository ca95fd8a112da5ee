/**
 * Synthetic intent sets of any size for the scale benchmarks: every intent has its own topic words (drawn
 * from a large made-up vocabulary, so intents overlap the way real ones do — a few shared words, many shared
 * character n-grams) and examples built from shared request phrasings. Deterministic for a seed.
 */
import { Random } from '../../packages/plugin-semantic/src/model/random.js'

const LEADS = [
  'can you',
  'please',
  'i want to',
  'help me',
  'i need to',
  'how do i',
  'could you',
  'show me how to',
  "i'd like to",
  'let me',
]
const VERBS = [
  'check',
  'change',
  'see',
  'find',
  'update',
  'cancel',
  'get',
  'open',
  'book',
  'review',
  'add',
  'remove',
]
const FILLERS = ['my', 'the', 'a', 'our', 'this', 'that', 'some']
const TAILS = ['', '', 'now', 'today', 'for me', 'right away', 'please', 'again']
const SYLLABLES =
  'ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu za ze zi zo zu'.split(
    ' ',
  )

export interface SyntheticExample {
  intent: string
  text: string
}

/** A made-up word of two to four syllables. */
function word(random: Random): string {
  let text = ''
  const syllables = 2 + random.int(3)
  for (let s = 0; s < syllables; s++) text += SYLLABLES[random.int(SYLLABLES.length)]
  return text
}

function pick<T>(random: Random, list: readonly T[]): T {
  return list[random.int(list.length)]!
}

/**
 * `intents` intents with `examples` training sentences and `queries` held-out sentences each. Each intent
 * has a verb and three topic words out of a shared vocabulary of `intents × 2` words, so topic words recur
 * across intents and telling them apart takes the combination.
 */
export function syntheticIntents(
  intents: number,
  examples: number,
  queries = 0,
  seed = 7,
): { train: SyntheticExample[]; test: SyntheticExample[] } {
  const random = new Random(seed)
  const vocabulary = Array.from({ length: Math.max(50, intents * 2) }, () => word(random))
  const train: SyntheticExample[] = []
  const test: SyntheticExample[] = []
  for (let i = 0; i < intents; i++) {
    const intent = `intent_${i}`
    const verb = pick(random, VERBS)
    const topic = [pick(random, vocabulary), pick(random, vocabulary), pick(random, vocabulary)]
    const sentence = () => {
      const words = [pick(random, LEADS), verb, pick(random, FILLERS)]
      // Two or three of the intent's topic words, in its usual order.
      const skip = random.int(4)
      topic.forEach((t, k) => k !== skip && words.push(t))
      words.push(pick(random, TAILS))
      return words.filter(Boolean).join(' ')
    }
    for (let e = 0; e < examples; e++) train.push({ intent, text: sentence() })
    for (let q = 0; q < queries; q++) test.push({ intent, text: sentence() })
  }
  return { train, test }
}
