// @vitest-environment node
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSSRApp, defineComponent, h } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { createPinia } from 'pinia'
import { ChatPlugin, createChat, useChat, useChatAuth, useChatStore } from 'vue-realtime-chat'
import { createChatServer, type ChatServer } from 'vue-realtime-chat/testing'

let server: ChatServer
beforeEach(async () => {
  server = await createChatServer()
})
afterEach(async () => {
  await server.close()
})

const Page = defineComponent({
  setup() {
    const { messages, status, send } = useChat(2)
    const { user } = useChatAuth()
    const sent = send('during SSR')
    return () => h('main', { 'data-status': status.value, 'data-sent': String(sent.ok) }, [
      h('p', user.value?.email ?? 'anonymous'),
      h('ul', messages.value.map(m => h('li', { key: m.id }, m.content))),
    ])
  },
})

describe('SSR (node, no window)', () => {
  it('renders without a window, opens no socket, and leaves no token in the payload', async () => {
    expect(typeof window).toBe('undefined')
    const app = createSSRApp(Page)
    const pinia = createPinia()
    app.use(pinia)
    const chat = createChat({ baseUrl: server.url, storage: 'session' })
    app.use(chat)
    const tokens = server.issueTokens(1)
    chat.client!.auth.setTokens(tokens, { id: '1', email: 'student@example.com', role: 'student', first_name: 'Sam', last_name: 'Student' })

    const html = await renderToString(app)
    expect(html).toContain('data-status="idle"')
    expect(html).toContain('data-sent="false"')
    expect(html).toContain('student@example.com')
    expect(server.stats.handshakes).toBe(0)
    expect(server.openSockets).toBe(0)

    const payload = JSON.stringify(pinia.state.value)
    expect(payload).not.toContain(tokens.access)
    expect(payload).not.toContain(tokens.refresh)
    expect(payload).not.toMatch(/eyJ/)
    const state = JSON.parse(payload) as Record<string, { auth: { user: { email: string } | null; status: string } }>
    expect(state['vue-realtime-chat']?.auth).toMatchObject({ status: 'authenticated', user: { email: 'student@example.com' } })
    chat.client!.destroy()
  })

  it('two requests get two independent clients and stores (no module-level state)', async () => {
    const render = async (userId: number) => {
      const app = createSSRApp(Page)
      const pinia = createPinia()
      app.use(pinia)
      const chat = createChat({ baseUrl: server.url })
      app.use(chat)
      chat.client!.auth.setTokens(server.issueTokens(userId))
      const html = await renderToString(app)
      chat.client!.destroy()
      return { html, userId: useChatStore(pinia).auth.userId }
    }
    const [a, b] = await Promise.all([render(1), render(2)])
    expect([a.userId, b.userId]).toEqual(['1', '2'])
  })

  it('ChatPlugin installs under SSR with connect explicitly off even when a WebSocket exists', async () => {
    let constructed = 0
    class CountingSocket {
      constructor() {
        constructed++
        throw new Error('must not be constructed')
      }
    }
    const app = createSSRApp(Page)
    app.use(createPinia())
    app.use(ChatPlugin, { baseUrl: server.url, connect: false, WebSocket: CountingSocket as never })
    await renderToString(app)
    expect(constructed).toBe(0)
  })
})
