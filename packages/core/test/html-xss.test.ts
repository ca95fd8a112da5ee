import { describe, expect, it } from 'vitest'
import { DEFAULT_BLOCKED_TAGS, isDangerousUrl, renderToHTML } from '../src/html/index.js'
import type { ElementNode } from '../src/index.js'

/** A hand-written element (no h(): these trees are meant to be hostile). */
function el(type: string, props: Record<string, unknown> = {}, ...children: unknown[]): ElementNode {
  return { type, props, children: children as ElementNode['children'] }
}

interface Tag {
  name: string
  attributes: [string, string][]
}

/**
 * Reads the output the way a browser's tokenizer would, and fails unless it is made only of escaped text,
 * our marker comments and well-formed tags with double-quoted values. Returns the tags with decoded values.
 */
function scan(html: string): Tag[] {
  const tags: Tag[] = []
  const token =
    /([^<>]+)|<!--ixp:[a-z-]+-->|<\/([a-zA-Z][a-zA-Z0-9-]*)>|<([a-zA-Z][a-zA-Z0-9-]*)((?: [a-zA-Z][a-zA-Z0-9_.:-]*(?:="[^"<>]*")?)*)>/y
  let index = 0
  while (index < html.length) {
    token.lastIndex = index
    const match = token.exec(html)
    if (!match) throw new Error(`unexpected markup at ${index}: ${html.slice(index, index + 60)}`)
    if (match[3]) {
      const attributes = [...match[4]!.matchAll(/ ([^= ]+)(?:="([^"]*)")?/g)].map(
        ([, name, value]) => [name!, decode(value ?? '')] as [string, string],
      )
      tags.push({ name: match[3].toLowerCase(), attributes })
    }
    index = token.lastIndex
  }
  return tags
}

function decode(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);?/g, (_, dec: string) => String.fromCodePoint(parseInt(dec, 10)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

const scriptingTags = new Set(DEFAULT_BLOCKED_TAGS)

/** Everything a browser would run or load as code from this output. */
function assertInert(html: string): Tag[] {
  const tags = scan(html)
  for (const tag of tags) {
    expect(scriptingTags.has(tag.name), `<${tag.name}> in ${html}`).toBe(false)
    for (const [name, value] of tag.attributes) {
      expect(name.toLowerCase().startsWith('on'), `${name} in ${html}`).toBe(false)
      expect(name.toLowerCase(), html).not.toBe('srcdoc')
      const compact = value.replace(/[\s\u0000-\u001f]+/g, '').toLowerCase()
      expect(/^(javascript|vbscript|data):/.test(compact), `${name}="${value}" in ${html}`).toBe(false)
      if (name === 'style') expect(compact).not.toMatch(/expression\(|javascript:|-moz-binding|behavior/)
    }
  }
  return tags
}

describe('renderToHTML: text and attribute escaping', () => {
  it('escapes markup in text', () => {
    const html = renderToHTML(el('p', {}, '<script>alert(1)</script>', '&amp; "quoted" \'single\''))
    expect(html).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp; &quot;quoted&quot; &#39;single&#39;</p>',
    )
    assertInert(html)
  })

  it('keeps attribute breakouts inside the value', () => {
    const vectors = [
      '"><script>alert(1)</script>',
      "' onmouseover='alert(1)",
      '" onmouseover="alert(1)',
      '`onmouseover=alert(1)`',
      '</noscript><img src=x onerror=alert(1)>',
    ]
    for (const vector of vectors) {
      const html = renderToHTML(el('div', { title: vector, 'data-x': vector }, 'x'))
      const [tag] = assertInert(html)
      expect(tag!.attributes).toEqual([
        ['title', vector],
        ['data-x', vector],
      ])
    }
  })

  it('never emits a malformed attribute name (it is dropped)', () => {
    const html = renderToHTML(
      el('div', {
        'x onmouseover=alert(1) y': 'z',
        '"><script>alert(1)</script>': 1,
        'a=b': 1,
        '': 1,
        '/onload': 'x',
        ok: 'yes',
      }),
    )
    expect(html).toBe('<div ok="yes"></div>')
  })

  it('never emits a malformed tag name: such an element renders its (escaped) children only', () => {
    for (const type of [
      'img src=x onerror=alert(1)',
      'svg/onload=alert(1)',
      'a"',
      '<script>',
      'ixp:unknown',
      '1div',
    ]) {
      const html = renderToHTML(el(type, { onerror: 'alert(1)' }, 'child'))
      expect(html).toBe('child')
    }
  })
})

describe('renderToHTML: event handlers, srcdoc and markup injection props', () => {
  it('drops every on* attribute, in any case', () => {
    const html = renderToHTML(
      el('img', {
        src: 'a.png',
        onerror: 'alert(1)',
        ONLOAD: 'x',
        onMouseOver: 'x',
        OnClick: 'x',
        onfocus: '',
      }),
    )
    expect(html).toBe('<img src="a.png">')
    expect(renderToHTML(el('svg', { onload: 'alert(1)' }))).toBe('<svg></svg>')
    expect(renderToHTML(el('details', { open: true, ontoggle: 'alert(1)' }))).toBe('<details open></details>')
    expect(renderToHTML(el('body', { onload: 'alert(1)' }))).toBe('<body></body>')
  })

  it('drops srcdoc, dangerouslySetInnerHTML and innerHTML', () => {
    const html = renderToHTML(
      el('div', {
        srcdoc: '<script>alert(1)</script>',
        SRCDOC: 'x',
        dangerouslySetInnerHTML: { __html: '<script>alert(1)</script>' },
        innerHTML: '<img src=x onerror=alert(1)>',
        outerHTML: 'x',
      }),
    )
    expect(html).toBe('<div></div>')
  })
})

describe('renderToHTML: dangerous URLs', () => {
  const vectors = [
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'JAVASCRIPT:alert(1)',
    ' javascript:alert(1)',
    '\u0001javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    'java\rscript:alert(1)',
    'java\u0000script:alert(1)',
    'jav&#x09;ascript:alert(1)',
    'jav&#x0A;ascript:alert(1)',
    'jav&#x0D;ascript:alert(1)',
    'java&Tab;script:alert(1)',
    'java&NewLine;script:alert(1)',
    '&#106;avascript:alert(1)',
    '&#x6A;avascript:alert(1)',
    '&#X6a;avascript:alert(1)',
    '&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)',
    '&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)',
    'javascript&colon;alert(1)',
    'javascript&COLON;alert(1)',
    '&amp;#106;avascript:alert(1)',
    '\u2028javascript:alert(1)',
    'vbscript:msgbox(1)',
    'VBScript:msgbox(1)',
    'livescript:alert(1)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'DATA:text/html,<script>alert(1)</script>',
    ' data:image/svg+xml,<svg onload=alert(1)>',
  ]

  it.each(vectors)('drops %j in every URL attribute', (url) => {
    expect(isDangerousUrl(url)).toBe(true)
    const tree = el(
      'div',
      {},
      el('a', { href: url }, 'link'),
      el('img', { src: url }),
      el('form', { action: url }, el('button', { formaction: url }, 'go')),
      el('input', { type: 'image', src: url }),
      el('video', { poster: url }),
      el('table', { background: url }),
      el('blockquote', { cite: url }),
      el('svg', {}, el('a', { 'xlink:href': url }, 'x'), el('use', { href: url })),
      el('img', { srcset: url }),
      el('img', { srcset: `a.png 1x, ${url} 2x` }),
    )
    const html = renderToHTML(tree)
    const tags = assertInert(html)
    const urlAttributes = tags.flatMap((tag) => tag.attributes).filter(([name]) => name !== 'type')
    expect(urlAttributes).toEqual([])
  })

  it('drops script URLs in any attribute, but keeps ordinary URLs and relative paths', () => {
    expect(
      renderToHTML(el('div', { 'data-url': 'javascript:alert(1)', 'data-note': 'data: fine here' })),
    ).toBe('<div data-note="data: fine here"></div>')
    for (const url of [
      'https://example.com/?a=1&b=2',
      '/path/javascript:x',
      '#top',
      'mailto:a@b.c',
      'tel:+123',
      '?q=data:',
    ]) {
      const [tag] = assertInert(renderToHTML(el('a', { href: url }, 'ok')))
      expect(tag!.attributes).toEqual([['href', url]])
    }
  })
})

describe('renderToHTML: styles', () => {
  const dangerous = [
    'width: expression(alert(1))',
    'xss:expr/*XSS*/ession(alert(1))',
    'background: url(javascript:alert(1))',
    'background-image: url("jav\\61 script:alert(1)")',
    'background: url(&#106;avascript:alert(1))',
    'background: url( "java\tscript:alert(1)" )',
    'behavior: url(xss.htc)',
    '-moz-binding: url(http://x/xss.xml#xss)',
    '@import "javascript:alert(1)"',
    'color: red; background: URL(JavaScript:alert(1))',
    'list-style-image: url(vbscript:msgbox(1))',
    'width: EXPRESSION(alert(1))',
    'width: \\65 xpression(alert(1))',
  ]

  it.each(dangerous)('drops the whole style string %j', (css) => {
    expect(renderToHTML(el('div', { style: css }))).toBe('<div></div>')
  })

  it.each([
    { width: 'expression(alert(1))' },
    { width: 'EXPR/**/ESSION(alert(1))' },
    { background: 'url(javascript:alert(1))' },
    { backgroundImage: 'url("jav\\61 script:alert(1)")' },
    { backgroundImage: "url('java\tscript:alert(1)')" },
    { behavior: 'url(xss.htc)' },
    { MozBinding: 'url(http://x/xss.xml#xss)' },
    { listStyleImage: 'url(vbscript:msgbox(1))' },
    { '--x': 'url(javascript:alert(1))' },
  ])('drops the whole style object %j', (style) => {
    expect(renderToHTML(el('div', { style: { color: 'red', ...style } }))).toBe('<div></div>')
  })

  it('serialises style objects: kebab-case, px for lengths, custom properties, vendor prefixes', () => {
    const html = renderToHTML(
      el('div', {
        style: {
          backgroundColor: 'red',
          fontSize: 12,
          lineHeight: 1.5,
          margin: 0,
          zIndex: 3,
          '--gap': 4,
          WebkitTransform: 'none',
          msFlex: '1',
          'border-top': '1px solid',
          bogus: { nested: true },
          width: NaN,
          height: '',
        },
      }),
    )
    expect(html).toBe(
      '<div style="background-color:red;font-size:12px;line-height:1.5;margin:0;z-index:3;--gap:4;' +
        '-webkit-transform:none;-ms-flex:1;border-top:1px solid"></div>',
    )
  })

  it('skips declarations that would smuggle in more declarations, and malformed names', () => {
    const html = renderToHTML(
      el('div', {
        style: { color: 'red;position:fixed', top: '0}a{b:c', 'bad name': 'x', 'x:y': 1, margin: '1px' },
      }),
    )
    expect(html).toBe('<div style="margin:1px"></div>')
    expect(renderToHTML(el('div', { style: 'color: "</style>"' }))).toBe(
      '<div style="color: &quot;&lt;/style&gt;&quot;"></div>',
    )
  })
})

describe('renderToHTML: blocked elements', () => {
  it.each([
    el('script', {}, 'alert(1)'),
    el('SCRIPT', { src: 'https://evil.example/x.js' }),
    el('ScRiPt', {}, 'alert(1)'),
    el('style', {}, 'body{background:url(javascript:alert(1))}'),
    el('iframe', { src: 'https://evil.example' }),
    el('iframe', { srcdoc: '<script>alert(1)</script>' }),
    el('object', { data: 'x.swf' }),
    el('embed', { src: 'x.swf' }),
    el('applet', { code: 'X' }),
    el('base', { href: 'https://evil.example/' }),
    el('meta', { 'http-equiv': 'refresh', content: '0;url=javascript:alert(1)' }),
    el('link', { rel: 'import', href: 'https://evil.example/x.html' }),
    el('noscript', {}, el('p', { title: '</noscript><img src=x onerror=alert(1)>' })),
    el('template', {}, el('img', { src: 'x' })),
    el('svg', {}, el('animate', { attributeName: 'href', values: 'javascript:alert(1)' })),
    el('svg', {}, el('set', { attributeName: 'onmouseover', to: 'alert(1)' })),
    el('frameset', {}, el('frame', { src: 'x' })),
  ])('drops %j with its content', (tree) => {
    const html = renderToHTML(el('div', {}, 'before', tree, 'after'))
    expect(html.replace(/<svg><\/svg>/, '')).toBe('<div>beforeafter</div>')
  })

  it('lets a blocked tag through only when blockedTags leaves it out, with raw text neutralised', () => {
    const allowStyle = { blockedTags: DEFAULT_BLOCKED_TAGS.filter((tag) => tag !== 'style') }
    expect(renderToHTML(el('style', {}, 'a > b { color: red }', el('b', {}, 'ignored')), allowStyle)).toBe(
      '<style>a > b { color: red }</style>',
    )
    const breakout = renderToHTML(el('style', {}, '</style><script>alert(1)</script>'), allowStyle)
    expect(breakout).toBe('<style><\\/style><script>alert(1)<\\/script></style>')
    expect(breakout.match(/<\/style/gi)).toHaveLength(1)
    const script = renderToHTML(el('script', {}, 'var s = "</script><script>alert(1)//"; <!--'), {
      blockedTags: [],
    })
    expect(script.match(/<\/script/gi)).toHaveLength(1)
    expect(script).not.toContain('<!--')
  })

  it('keeps allowed mXSS carriers inert: attribute values never contain < or >', () => {
    const html = renderToHTML(
      el('noscript', {}, el('p', { title: '</noscript><img src=x onerror=alert(1)>' })),
      { blockedTags: [] },
    )
    expect(html).toBe(
      '<noscript><p title="&lt;/noscript&gt;&lt;img src=x onerror=alert(1)&gt;"></p></noscript>',
    )
  })

  it('escapes text in textarea and title, and ignores elements inside them', () => {
    expect(renderToHTML(el('textarea', {}, '</textarea><script>alert(1)</script>', el('b', {}, 'x')))).toBe(
      '<textarea>&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>',
    )
    expect(renderToHTML(el('title', {}, '</title><img src=x onerror=alert(1)>'))).toBe(
      '<title>&lt;/title&gt;&lt;img src=x onerror=alert(1)&gt;</title>',
    )
  })
})

describe('renderToHTML: a mixed hostile document stays inert', () => {
  it('renders only safe markup', () => {
    const tree = el(
      'div',
      { class: ['card', '" onclick="x'], style: { color: 'red' } },
      el('svg', { onload: 'alert(1)' }, el('a', { 'xlink:href': 'javascript:alert(1)' }, 'x')),
      el('a', { href: '&#106;avascript:alert(1)', target: '_blank' }, 'click'),
      el('img', { src: 'x', onerror: 'alert(1)', alt: '"><script>alert(1)</script>' }),
      el('math', {}, el('mi', { 'xlink:href': 'data:x,<script>alert(1)</script>' }, 'm')),
      el(
        'form',
        { action: 'java\tscript:alert(1)' },
        el('input', { type: 'submit', formaction: 'javascript:x' }),
      ),
      '<img src=x onerror=alert(1)>',
    )
    const html = renderToHTML(tree)
    assertInert(html)
    expect(html).toContain('class="card &quot; onclick=&quot;x"')
  })
})
