import { createEngine, silentLogger, type Engine, type IntentDefinition } from '@ixp/core'
import { afterEach, describe, expect, it } from 'vitest'
import { findSystem, parseExample, semantic, SequenceTagger, SlotFiller } from '../src/index.js'
import { LookupTable } from '../src/slots/lookup.js'
import { placeTables } from '../src/slots/places.js'
import { tokenize } from '../src/slots/tokens.js'

const playMusic: IntentDefinition = {
  name: 'play_music',
  description: 'Plays music',
  component: 'Card',
  parameters: {
    type: 'object',
    properties: {
      artist: { type: 'string' },
      service: { type: 'string', enum: ['spotify', 'deezer', 'youtube'] },
    },
    required: ['artist'],
  },
  examples: [
    'play [Daft Punk](artist) on [spotify](service)',
    'put on some [Miles Davis](artist)',
    'i want to hear [Nina Simone](artist) on [deezer](service)',
    'play songs by [Radiohead](artist)',
    'play [the Beatles](artist)',
    {
      text: 'listen to Aretha Franklin on youtube',
      entities: [
        { start: 10, end: 25, entity: 'artist' },
        { start: 29, end: 36, entity: 'service' },
      ],
    },
    'play something by [Bob Marley](artist) on [spotify](service)',
    'could you play [Queen](artist)',
    'play music by [Adele](artist) on [youtube](service)',
    'start [Kraftwerk](artist) on [deezer](service)',
  ],
}

const compare: IntentDefinition = {
  name: 'compare_products',
  description: 'Compares products side by side',
  component: 'Card',
  parameters: {
    type: 'object',
    properties: { skus: { type: 'array', items: { type: 'string', 'x-entity': 'sku' }, minItems: 2 } },
    required: ['skus'],
  },
  examples: [
    'compare [TE-101](sku) and [TE-310](sku)',
    'difference between two products',
    'compare these products',
  ],
}

const subscribe: IntentDefinition = {
  name: 'subscribe',
  description: 'Subscribes an email address to the newsletter',
  component: 'Card',
  parameters: {
    type: 'object',
    properties: { email: { type: 'string', format: 'email' }, when: { type: 'string', 'x-entity': 'date' } },
    required: ['email'],
  },
  examples: ['subscribe me to the newsletter', 'sign up for news', 'add my email to the mailing list'],
}

const findStore: IntentDefinition = {
  name: 'find_store',
  description: 'Finds the nearest store',
  component: 'Card',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
  examples: [
    'nearest store in [Seattle](city)',
    'stores near [NYC](city:New York)',
    'where is your closest shop',
  ],
}

const engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()))
})

async function engineWith(intents: IntentDefinition[], options: Parameters<typeof semantic>[0] = {}) {
  const engine = createEngine({ logger: silentLogger })
  engines.push(engine)
  engine.registerComponent({ name: 'Card', render: (props) => ({ type: 'card', props, children: [] }) })
  engine.use(semantic(options))
  for (const intent of intents) engine.registerIntent(intent)
  await engine.ready()
  return engine
}

describe('annotated examples', () => {
  it('reads Rasa markup and objects into text and entity spans', () => {
    expect(parseExample('play [Daft Punk](artist) on [NYC radio](station:nyc-fm)')).toEqual({
      text: 'play Daft Punk on NYC radio',
      entities: [
        { start: 5, end: 14, entity: 'artist' },
        { start: 18, end: 27, entity: 'station', value: 'nyc-fm' },
      ],
    })
    expect(
      parseExample({ text: 'hi Bob', entities: [{ start: 3, end: 6, entity: 'name' }] }).entities,
    ).toEqual([{ start: 3, end: 6, entity: 'name' }])
  })

  it('refuses a malformed annotation with INVALID_DEFINITION naming the example', async () => {
    const engine = createEngine({ logger: silentLogger })
    engines.push(engine)
    engine.registerComponent({ name: 'Card', render: (props) => ({ type: 'card', props, children: [] }) })
    engine.use(semantic())
    await engine.ready()
    const bad = (examples: IntentDefinition['examples']) => () =>
      engine.registerIntent({ ...playMusic, name: 'bad', examples })
    expect(bad(['ok', 'play [](artist)'])).toThrow(/examples\.1 annotation '\[\]\(artist\)' has no text/)
    expect(bad(['play [x](bad name)'])).toThrow(expect.objectContaining({ code: 'INVALID_DEFINITION' }))
    expect(bad([{ text: 'abc', entities: [{ start: 1, end: 9, entity: 'x' }] }])).toThrow(
      /examples\.0\.entities\.0\.end/,
    )
    expect(
      bad([
        {
          text: 'abcdef',
          entities: [
            { start: 0, end: 3, entity: 'x' },
            { start: 2, end: 5, entity: 'y' },
          ],
        },
      ]),
    ).toThrow(/overlap/)
  })
})

describe('slots through a real engine', () => {
  it('fills free-text slots from a tagger trained on annotated examples, with spans and confidences', async () => {
    const engine = await engineWith([playMusic, compare, subscribe, findStore])
    const outcome = await engine.resolve('play Daft Punk on spotify')
    expect(outcome).toMatchObject({
      matched: true,
      intent: 'play_music',
      parameters: { artist: 'Daft Punk', service: 'spotify' },
    })
    if (!outcome.matched) return
    const artist = outcome.slots!.find((slot) => slot.entity === 'artist')!
    expect(artist).toMatchObject({
      parameter: 'artist',
      text: 'Daft Punk',
      start: 5,
      end: 14,
      source: 'tagger',
    })
    expect(artist.confidence).toBeGreaterThan(0.5)
    expect(artist.confidence).toBeLessThanOrEqual(1)
    const unseen = await engine.resolve('play songs by Fleetwood Mac')
    expect(unseen).toMatchObject({ intent: 'play_music', parameters: { artist: 'Fleetwood Mac' } })
  })

  it('collects every value of an array parameter, reads system entities and maps synonyms', async () => {
    const engine = await engineWith([playMusic, compare, subscribe, findStore], {
      entities: { sku: { pattern: /\b[A-Z]{2}-\d{3}\b/ } },
    })
    expect(await engine.resolve('compare TE-101 and TE-310')).toMatchObject({
      intent: 'compare_products',
      parameters: { skus: ['TE-101', 'TE-310'] },
    })
    const email = await engine.resolve('subscribe jane.doe@example.com to the newsletter')
    expect(email).toMatchObject({ intent: 'subscribe', parameters: { email: 'jane.doe@example.com' } })
    expect(email.matched && email.missing).toBeFalsy()
    expect(await engine.resolve('nearest store in Seattle')).toMatchObject({
      intent: 'find_store',
      parameters: { city: 'Seattle' },
    })
    expect(await engine.resolve('stores near nyc')).toMatchObject({
      intent: 'find_store',
      parameters: { city: 'New York' },
    })
  })

  it('uses lookup tables with synonyms for canonical values, and lists missing parameters', async () => {
    const engine = await engineWith([playMusic, findStore], {
      entities: { city: { lookup: [{ value: 'San Francisco', synonyms: ['sf', 'frisco'] }, 'Boston'] } },
    })
    const outcome = await engine.resolve('where is your closest shop in frisco')
    expect(outcome).toMatchObject({ intent: 'find_store', parameters: { city: 'San Francisco' } })
    expect(outcome.matched && outcome.slots).toContainEqual(
      expect.objectContaining({ entity: 'city', text: 'frisco', source: 'lookup', confidence: 1 }),
    )
    const missing = await engine.resolve('put on some music on deezer')
    expect(missing).toMatchObject({
      intent: 'play_music',
      parameters: { service: 'deezer' },
      missing: ['artist'],
    })
  })

  it('refuses a bad entity declaration', () => {
    expect(() => semantic({ entities: { sku: { pattern: '(' } } })).toThrow(
      /sku.*not a valid regular expression/,
    )
    expect(() => semantic({ entities: { email: { lookup: ['x'] } } })).toThrow(/system entity/)
    expect(() => semantic({ entities: { city: {} } })).toThrow(/lookup.*pattern/)
  })
})

describe('building blocks', () => {
  it('a lookup trie finds the longest phrase and maps synonyms', () => {
    const table = new LookupTable([
      'new york',
      { value: 'New York City', synonyms: ['new york city', 'nyc'] },
    ])
    const tokens = tokenize('flights from New York City to nyc')
    expect(table.find(tokens).map((m) => m.value)).toEqual(['New York City', 'New York City'])
  })

  it('knows country and US state names (as tagger hints), not common words that abbreviate a state', () => {
    const found = (text: string) =>
      placeTables().flatMap(([hint, table]) => table.find(tokenize(text)).map((m) => `${hint}=${m.value}`))
    expect(found('a table in the Federated States of Micronesia')).toEqual([
      'place:country=Federated States of Micronesia',
    ])
    expect(found('weather in New York or in Georgia')).toEqual([
      'place:country=Georgia',
      'place:state=New York',
      'place:state=Georgia',
    ])
    expect(found('is it ok in us')).toEqual([])
  })

  it('the tagger is deterministic and learns context', () => {
    const example = (words: string[], tags: string[]) => ({ tokens: tokenize(words.join(' ')), tags })
    const data = [
      example(['fly', 'to', 'paris'], ['O', 'O', 'B-city']),
      example(['fly', 'to', 'rome', 'now'], ['O', 'O', 'B-city', 'O']),
      example(['go', 'to', 'new', 'york'], ['O', 'O', 'B-city', 'I-city']),
      example(['book', 'a', 'flight'], ['O', 'O', 'O']),
    ]
    const a = SequenceTagger.train(data)
    const b = SequenceTagger.train(data)
    const spans = a.tag(tokenize('fly to madrid'))
    expect(spans.map((s) => [s.entity, s.from, s.to])).toEqual([['city', 2, 3]])
    expect(b.tag(tokenize('fly to madrid'))).toEqual(spans)
  })

  it('finds system entities with typed values', () => {
    const reference = new Date(2026, 0, 15, 9, 0)
    expect(findSystem('date', 'deliver it tomorrow please', reference)).toEqual([
      { start: 11, end: 19, value: '2026-01-16' },
    ])
    expect(findSystem('time', 'at 7pm', reference)[0]!.value).toBe('19:00')
    expect(findSystem('email', 'mail a.b+c@shop.example.org now')[0]!.value).toBe('a.b+c@shop.example.org')
    expect(findSystem('url', 'see https://example.com/x?y=1.')[0]!.value).toBe('https://example.com/x?y=1')
    expect(findSystem('phone', 'call +1 206-555-0123 today')[0]!.value).toBe('+1 206-555-0123')
    expect(findSystem('money', 'under $25.50 or 30 euros').map((m) => m.value)).toEqual([
      { amount: 25.5, currency: 'USD' },
      { amount: 30, currency: 'EUR' },
    ])
    expect(findSystem('duration', 'for 2 hours and ten minutes').map((m) => m.value)).toEqual([7200, 600])
    expect(findSystem('ordinal', 'the 3rd and the first').map((m) => m.value)).toEqual([3, 1])
    expect(findSystem('number', 'order 12 or twenty, 1,500.5').map((m) => m.value)).toEqual([12, 20, 1500.5])
  })

  it('a filler with no annotations and no entities finds nothing', () => {
    const filler = new SlotFiller()
    filler.prepare([{ ...findStore, examples: ['where is a store'], parameters: { type: 'object' } }])
    expect(filler.fill('find_store', 'store in Seattle')).toEqual({ parameters: {}, slots: [] })
  })

  it('reads a huge text only up to 1,000 characters', () => {
    const filler = new SlotFiller()
    filler.prepare([playMusic])
    const huge = `play Daft Punk on spotify ${'and then some more words '.repeat(4000)}play Adele`
    const started = performance.now()
    const filled = filler.fill('play_music', huge)
    expect(performance.now() - started).toBeLessThan(200)
    expect(filled.parameters).toEqual({ artist: 'Daft Punk', service: 'spotify' })
    expect(filled.slots.every((slot) => slot.end <= 1000)).toBe(true)
  })
})
