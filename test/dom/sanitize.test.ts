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
    expect(el.innerHTML).toBe('<img src="x"><b>one</b>')
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
