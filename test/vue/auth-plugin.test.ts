/* eslint-disable vue/one-component-per-file -- small test components side by side */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, defineComponent, h, inject } from 'vue'
import { createPinia } from 'pinia'
import { createMemoryStorage } from 'vue-realtime-chat/core'
import type { ChatClient, StorageAdapter } from 'vue-realtime-chat/core'
import { CHAT_STORE_ID, ChatClientKey, ChatPlugin, createChat, useChat, useChatAuth, useChatClient, useChatStore, type UseChatAuthReturn, type UseChatReturn } from 'vue-realtime-chat'
import { createChatServer, type ChatServer } from 'vue-realtime-chat/testing'
import { mountApp, testOptions, waitFor, when, type MountedChat } from './helpers'

let server: ChatServer
const mounted: MountedChat[] = []

beforeEach(async () => {
  server = await createChatServer()
})

afterEach(async () => {
  for (const m of mounted.splice(0)) m.unmount()
  await server.close()
})

/** Storage that remembers every value written, to know which token strings exist. */
function recordingStorage(): StorageAdapter & { written: string[] } {
  const inner = createMemoryStorage()
  const written: string[] = []
  return {
    written,
    getItem: key => inner.getItem(key),
    setItem: (key, value) => {
      written.push(value)
      inner.setItem(key, value)
    },
    removeItem: key => inner.removeItem(key),
  }
}

function authApp(storage?: StorageAdapter) {
  let auth!: UseChatAuthReturn
  let chat!: UseChatReturn
  const Root = defineComponent({
    setup() {
      auth = useChatAuth()
      chat = useChat(() => auth.isAuthenticated.value ? 2 : null)
      return () => h('p', auth.user.value?.email ?? 'anonymous')
    },
  })
  const m = mountApp(Root, testOptions(server, storage ? { storage } : {}))
  mounted.push(m)
  return { ...m, auth: () => auth, chat: () => chat }
}

describe('useChatAuth', () => {
  it('logs in over REST, shows the user, and keeps every token out of pinia.state', async () => {
    const storage = recordingStorage()
    const { auth, chat, pinia, el } = authApp(storage)
    expect(auth().isAuthenticated.value).toBe(false)
    const user = await auth().login('student@example.com', 'student123')
    expect(user?.email).toBe('student@example.com')
    expect(auth().isAuthenticated.value).toBe(true)
    expect(auth().userId.value).toBe('1')
    expect(auth().error.value).toBeNull()
    await when(() => chat().status.value, s => s === 'live', 'live after login')
    chat().send('hello')
    await when(() => chat().hasPending.value, p => !p, 'sent')
    expect(el.textContent).toBe('student@example.com')

    const state = JSON.stringify(pinia.state.value)
    expect(state).toContain('student@example.com')
    expect(state).toContain('hello')
    const tokens = storage.written.flatMap(v => v.match(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g) ?? [])
    expect(tokens.length).toBeGreaterThan(0)
    for (const token of tokens) {
      expect(state).not.toContain(token)
      expect(state).not.toContain(token.split('.')[2]!)
    }
    expect(state).not.toMatch(/eyJ/)
  })

  it('a failed login resolves null with a typed error, and never rejects', async () => {
    const { auth } = authApp()
    await expect(auth().login('student@example.com', 'wrong')).resolves.toBeNull()
    expect(auth().error.value?.code).toBe('invalid_credentials')
    expect(auth().isLoading.value).toBe(false)
    expect(auth().status.value).toBe('anonymous')
    expect(await auth().login('student@example.com', 'student123')).not.toBeNull()
    expect(auth().error.value).toBeNull()
  })

  it('logout closes the conversation and clears the user', async () => {
    const { auth, chat, pinia } = authApp()
    await auth().login('student@example.com', 'student123')
    await when(() => chat().status.value, s => s === 'live', 'live')
    await auth().logout()
    expect(auth().user.value).toBeNull()
    expect(auth().isAuthenticated.value).toBe(false)
    await waitFor(() => server.openSockets === 0, 'socket closed on logout')
    expect(useChatStore(pinia).auth.user).toBeNull()
  })

  it('onUnauthorized fires when the session cannot be refreshed', async () => {
    const { auth } = authApp()
    const seen: string[] = []
    const tokens = server.issueTokens(1, { accessTtlSeconds: -60 })
    server.revokeRefresh(tokens.refresh)
    auth().onUnauthorized(e => seen.push(e.code))
    auth().setTokens(tokens)
    await when(() => auth().status.value, s => s === 'unauthorized', 'unauthorized')
    expect(seen).toEqual(['unauthorized'])
    expect(auth().error.value?.code).toBe('unauthorized')
    expect(auth().isAuthenticated.value).toBe(false)
  })
})

describe('ChatPlugin in a plain Vue app (no Nuxt)', () => {
  it('installs with app.use, provides one client per app, registers the store, and cleans up on unmount', async () => {
    const seen: { viaHook: ChatClient; viaKey: ChatClient | undefined }[] = []
    const Root = defineComponent({
      setup() {
        seen.push({ viaHook: useChatClient(), viaKey: inject(ChatClientKey) })
        const chat = useChat(2)
        return () => h('span', chat.status.value)
      },
    })
    const apps = [0, 1].map(() => {
      const app = createApp(Root)
      const pinia = createPinia()
      app.use(pinia)
      app.use(ChatPlugin, testOptions(server))
      app.mount(document.createElement('div'))
      return { app, pinia }
    })
    expect(seen).toHaveLength(2)
    expect(seen[0]!.viaHook).toBe(seen[0]!.viaKey)
    expect(seen[0]!.viaHook).not.toBe(seen[1]!.viaHook)
    expect(Object.keys(apps[0]!.pinia.state.value)).toContain(CHAT_STORE_ID)

    seen[0]!.viaHook.auth.setTokens(server.issueTokens(1))
    await waitFor(() => server.openSockets === 1, 'first app connected')
    const store = useChatStore(apps[0]!.pinia)
    await when(() => store.conversations['2']?.status, s => s === 'live', 'live in the store')
    expect(Object.isFrozen(store.conversations['2'])).toBe(true)

    apps[0]!.app.unmount()
    await waitFor(() => server.openSockets === 0, 'unmount closed the socket')
    expect(seen[0]!.viaHook.peek(2)).toBeUndefined()
    apps[1]!.app.unmount()
  })

  it('createChat exposes its client after install; a given client is used and not destroyed', async () => {
    const chat = createChat(testOptions(server))
    expect(chat.client).toBeNull()
    const app = createApp({ render: () => null })
    app.use(createPinia())
    app.use(chat)
    app.mount(document.createElement('div'))
    expect(chat.client).not.toBeNull()

    const own = createChat({ client: chat.client! })
    const app2 = createApp(defineComponent({ setup: () => { useChat(2); return () => null } }))
    app2.use(createPinia())
    app2.use(own)
    app2.mount(document.createElement('div'))
    expect(own.client).toBe(chat.client)
    chat.client!.auth.setTokens(server.issueTokens(1))
    await waitFor(() => server.openSockets === 1, 'connected through the given client')
    app2.unmount()
    await waitFor(() => server.openSockets === 0, 'released on unmount')
    expect(chat.client!.auth.getState().status).toBe('authenticated')
    app.unmount()
  })
})
