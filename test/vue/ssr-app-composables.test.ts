// @vitest-environment node
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSSRApp, defineComponent, h } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { createPinia } from 'pinia'
import { createChat, useChatInbox, useChatNotifications } from 'vue-realtime-chat'
import { createChatServer, type ChatServer } from 'vue-realtime-chat/testing'

let server: ChatServer
beforeEach(async () => {
  server = await createChatServer()
})
afterEach(async () => {
  await server.close()
})

describe('useChatInbox and useChatNotifications during SSR (node, no window)', () => {
  it('render the list and the permission state, and open no socket', async () => {
    const Page = defineComponent({
      setup() {
        const { entries, unreadTotal } = useChatInbox([2, 3])
        const { permission } = useChatNotifications({ activePeerId: 2 })
        return () => h('main', { 'data-permission': permission.value, 'data-unread': unreadTotal.value }, entries.value.map(e => h('p', { key: e.peerId }, `${e.peerId}:${e.status}:${e.open}`)))
      },
    })
    expect(typeof window).toBe('undefined')
    const app = createSSRApp(Page)
    app.use(createPinia())
    const chat = createChat({ baseUrl: server.url })
    app.use(chat)
    chat.client!.auth.setTokens(server.issueTokens(1))

    const html = await renderToString(app)
    expect(html).toContain('data-permission="unsupported"')
    expect(html).toContain('data-unread="0"')
    expect(html).toContain('2:idle:false')
    expect(html).toContain('3:idle:false')
    expect(server.stats.handshakes).toBe(0)
    chat.client!.destroy()
  })
})
