import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSSRApp, defineComponent, h } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { createPinia } from 'pinia'
import { createChat, useChat, useChatAuth, useChatStore } from 'vue-realtime-chat'
import { createChatServer, type ChatServer } from 'vue-realtime-chat/testing'
import { testOptions, when } from './helpers'

let server: ChatServer
beforeEach(async () => {
  server = await createChatServer()
})
afterEach(async () => {
  await server.close()
})

const student = { id: '1', email: 'student@example.com', role: 'student', first_name: 'Sam', last_name: 'Student' }

const Page = defineComponent({
  setup() {
    const { messages } = useChat(2)
    const { user } = useChatAuth()
    return () => h('main', [
      h('p', user.value?.email ?? 'anonymous'),
      h('ul', messages.value.map(m => h('li', { key: m.id }, m.content))),
    ])
  },
})

describe('SSR render then client hydration', () => {
  it('hydrates the server payload without mismatches, then connects on the client only', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      // Server side: connect off (what the Nuxt module passes on the server).
      const serverApp = createSSRApp(Page)
      const serverPinia = createPinia()
      serverApp.use(serverPinia)
      const serverChat = createChat({ ...testOptions(server), connect: false })
      serverApp.use(serverChat)
      serverChat.client!.auth.setTokens(server.issueTokens(1), student)
      const html = await renderToString(serverApp)
      const payload = JSON.stringify(serverPinia.state.value)
      serverChat.client!.destroy()
      expect(server.stats.handshakes).toBe(0)

      // Client side: same markup, same state, a fresh app.
      const el = document.createElement('div')
      el.innerHTML = html
      document.body.appendChild(el)
      const pinia = createPinia()
      pinia.state.value = JSON.parse(payload) as typeof pinia.state.value
      const app = createSSRApp(Page)
      app.use(pinia)
      const chat = createChat(testOptions(server))
      app.use(chat)
      chat.client!.auth.setTokens(server.issueTokens(1), student)
      app.mount(el)

      expect(warn.mock.calls.map(c => String(c[0])).filter(m => /hydration/i.test(m))).toEqual([])
      expect(el.querySelector('p')?.textContent).toBe('student@example.com')
      const store = useChatStore(pinia)
      await when(() => store.conversations['2']?.status, s => s === 'live', 'client connects after hydration')
      expect(server.stats.handshakes).toBe(1)
      app.unmount()
      el.remove()
    }
    finally {
      warn.mockRestore()
    }
  })
})
