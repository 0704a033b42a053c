// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { createSSRApp, h, withDirectives } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { canSanitize, sanitizeHtml, vChatHtml } from 'vue-realtime-chat/sanitize'

describe('sanitizeHtml on the server (no DOM)', () => {
  it('escapes to plain text instead of passing HTML through', () => {
    expect(typeof window).toBe('undefined')
    expect(canSanitize()).toBe(false)
    expect(sanitizeHtml('<img src=x onerror=alert(1)><b>hi</b>')).toBe('&lt;img src=x onerror=alert(1)&gt;&lt;b&gt;hi&lt;/b&gt;')
  })

  it('v-chat-html renders escaped text during SSR', async () => {
    const app = createSSRApp({ render: () => withDirectives(h('div'), [[vChatHtml, '<script>alert(1)</script>']]) })
    const html = await renderToString(app)
    expect(html).toBe('<div>&lt;script&gt;alert(1)&lt;/script&gt;</div>')
  })
})
