import { describe, expect, it } from 'vitest'
import { createApp, h, nextTick, ref, withDirectives } from 'vue'
import { escapeHtml, sanitizeHtml, vChatHtml, canSanitize } from 'vue-realtime-chat/sanitize'

function parse(html: string): HTMLElement {
  const div = document.createElement('div')
  div.innerHTML = html
  return div
}

describe('sanitizeHtml (jsdom)', () => {
  it('sanitises for real in a DOM', () => {
    expect(canSanitize()).toBe(true)
  })

  it('removes event handlers from <img>', () => {
    const out = sanitizeHtml('<img src=x onerror="alert(1)">hi')
    expect(out).not.toMatch(/onerror/i)
    expect(out).toContain('hi')
    expect(parse(out).querySelector('img')?.getAttribute('onerror')).toBeNull()
  })

  it('removes <script> elements and their content', () => {
    const out = sanitizeHtml('before<script>alert(1)</script>after')
    expect(out).toBe('beforeafter')
  })

  it('strips javascript: URLs, including obfuscated ones', () => {
    for (const href of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>alert(1)</script>']) {
      const a = parse(sanitizeHtml(`<a href="${href}">x</a>`)).querySelector('a')
      expect(a?.getAttribute('href') ?? null, href).toBeNull()
    }
  })

  it('drops SVG payloads', () => {
    const svgOnload = sanitizeHtml('<svg onload="alert(1)"><circle r="1"/></svg>ok')
    expect(svgOnload).not.toMatch(/svg|onload/i)
    expect(svgOnload).toContain('ok')
    const svgScript = sanitizeHtml('<svg><script>alert(1)</script></svg>')
    expect(svgScript).not.toMatch(/script|alert/i)
    const svgAnimate = sanitizeHtml('<svg><a><animate attributeName="href" values="javascript:alert(1)"/><text>x</text></a></svg>')
    expect(svgAnimate).not.toMatch(/javascript|animate/i)
  })

  it('gives links rel="noopener noreferrer" and target="_blank" by default', () => {
    const a = parse(sanitizeHtml('<a href="https://example.com" target="_top" rel="opener">x</a>')).querySelector('a')
    expect(a?.getAttribute('href')).toBe('https://example.com')
    expect(a?.getAttribute('rel')).toBe('noopener noreferrer')
    expect(a?.getAttribute('target')).toBe('_blank')
  })

  it('honours linkTarget and keeps other DOMPurify options', () => {
    const none = parse(sanitizeHtml('<a href="/x" target="_blank">x</a>', { linkTarget: null })).querySelector('a')
    expect(none?.hasAttribute('target')).toBe(false)
    expect(none?.getAttribute('rel')).toBe('noopener noreferrer')
    const self = parse(sanitizeHtml('<a href="/x">x</a>', { linkTarget: '_self' })).querySelector('a')
    expect(self?.getAttribute('target')).toBe('_self')
    expect(sanitizeHtml('<b>a</b><i>b</i>', { ALLOWED_TAGS: ['b'] })).toBe('<b>a</b>b')
  })

  it('keeps harmless formatting and inline styles out', () => {
    expect(sanitizeHtml('<b style="color:red">bold</b> <em>e</em>')).toBe('<b>bold</b> <em>e</em>')
  })

  it('adds caller FORBID_TAGS / FORBID_ATTR to the defaults instead of replacing them', () => {
    const html = '<form action="https://evil.example"><input type="password" name="p"></form><style>a{}</style><b title="t" style="color:red">b</b><i>i</i>'
    const out = sanitizeHtml(html, { FORBID_TAGS: ['i'], FORBID_ATTR: ['title'] })
    expect(out).toBe('<b>b</b>i')
    const el = parse(sanitizeHtml(html, { FORBID_TAGS: ['img'] }))
    expect(el.querySelector('form, input, style')).toBeNull()
    expect(el.querySelector('b')?.hasAttribute('style')).toBe(false)
    expect(el.querySelector('b')?.getAttribute('title')).toBe('t')
    // an explicit allow-list does not bring them back either
    expect(sanitizeHtml('<style>a{}</style><b>x</b>', { ALLOWED_TAGS: ['b', 'style'] })).toBe('<b>x</b>')
  })

  it('drops image and media sources unless allowRemoteImages (tracking pixels)', () => {
    const html = '<img src="https://tracker.example/p.gif" alt="pic"><video poster="https://t.example/p.png" src="/v.mp4"></video><table background="https://t.example/bg"><tr><td>c</td></tr></table>'
    const off = parse(sanitizeHtml(html))
    expect(off.querySelector('img')?.getAttribute('alt')).toBe('pic')
    expect(off.querySelector('[src], [poster], [background]')).toBeNull()
    expect(sanitizeHtml('<img src="//tracker.example/p.gif">')).toBe('<img>')
    const on = parse(sanitizeHtml(html, { allowRemoteImages: true }))
    expect(on.querySelector('img')?.getAttribute('src')).toBe('https://tracker.example/p.gif')
    expect(on.querySelector('video')?.getAttribute('poster')).toBe('https://t.example/p.png')
    // links are not resources: their href stays
    expect(parse(sanitizeHtml('<a href="https://example.com">x</a>')).querySelector('a')?.getAttribute('href')).toBe('https://example.com')
  })

  it('always drops data: image sources, even with allowRemoteImages', () => {
    const svg = 'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    for (const src of [svg, 'data:image/png;base64,iVBORw0KGgo=', ' DATA:image/png;base64,AA', 'data:image/gif;base64,R0lGOD']) {
      for (const allowRemoteImages of [false, true]) {
        const img = parse(sanitizeHtml(`<img src='${src}' alt="x">`, { allowRemoteImages })).querySelector('img')
        expect(img?.getAttribute('src') ?? null, `${src} ${allowRemoteImages}`).toBeNull()
      }
    }
    const media = parse(sanitizeHtml('<video src="data:video/mp4;base64,AA" poster="data:image/png;base64,AA"><source src="data:video/mp4;base64,AA"></video><audio src="data:audio/wav;base64,AA"></audio>', { allowRemoteImages: true }))
    expect(media.querySelector('[src], [poster]')).toBeNull()
  })

  it('does not add hooks to the global DOMPurify instance', async () => {
    const { default: DOMPurify } = await import('dompurify')
    expect(DOMPurify.sanitize('<a href="/x">x</a>')).toBe('<a href="/x">x</a>')
  })
})

describe('v-chat-html directive (jsdom)', () => {
  it('renders sanitised HTML and re-sanitises on update', async () => {
    const html = ref<string>('<img src=x onerror="alert(1)"><b>one</b>')
    const root = document.createElement('div')
    const app2 = createApp({ setup: () => () => withDirectives(h('div', { class: 'msg' }), [[vChatHtml, html.value]]) })
    app2.mount(root)
    const el = root.querySelector('.msg')!
    expect(el.innerHTML).toBe('<img><b>one</b>')
    html.value = '<a href="javascript:alert(1)">two</a>'
    await nextTick()
    expect(el.innerHTML).toBe('<a>two</a>')
    app2.unmount()
  })
})

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;')
  })
})
