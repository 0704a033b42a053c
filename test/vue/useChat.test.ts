/* eslint-disable vue/one-component-per-file -- small test components side by side */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, defineComponent, h, nextTick, ref, watch } from 'vue'
import { createPinia } from 'pinia'
import { createMemoryStorage } from 'vue-realtime-chat/core'
import { ChatPlugin, ChatSetupError, useChat, useChatStore, type PeerIdInput, type UseChatReturn } from 'vue-realtime-chat'
import { createChatServer, createMemoryStore, type ChatServer, type MessageStore } from 'vue-realtime-chat/testing'
import { chatView, mountApp, rawPeer, rootOf, testOptions, waitFor, when, type MountedChat } from './helpers'

let server: ChatServer
let db: MessageStore
const mounted: MountedChat[] = []

beforeEach(async () => {
  db = createMemoryStore()
  server = await createChatServer({ store: db })
})

afterEach(async () => {
  for (const m of mounted.splice(0)) m.unmount()
  await server.close()
})

function mountAs(userId: number, peers: PeerIdInput[], extra: Parameters<typeof testOptions>[1] = {}) {
  const views: UseChatReturn[] = []
  const list = ref(peers)
  const m = mountApp(rootOf(chatView(c => views.push(c)), list), testOptions(server, extra))
  mounted.push(m)
  m.chat.client!.auth.setTokens(server.issueTokens(userId))
  return { ...m, views, list }
}

const contents = (chat: UseChatReturn) => chat.messages.value.map(m => m.content)
const live = (chat: UseChatReturn) => when(() => chat.status.value, s => s === 'live', 'conversation live')

describe('useChat against the real test server', () => {
  it('shows the history replay in order, with stable unique ids and isMine', async () => {
    const t = Date.now() - 10_000
    await db.append({ sender_id: 1, reciever_id: 2, content: 'hello', createdAt: t, is_read: false })
    await db.append({ sender_id: 2, reciever_id: 1, content: 'hi', createdAt: t + 1, is_read: false })
    await db.append({ sender_id: 1, reciever_id: 2, content: 'hello', createdAt: t + 2, is_read: false })
    const { views, el } = mountAs(1, [2])
    const chat = views[0]!
    await live(chat)
    expect(contents(chat)).toEqual(['hello', 'hi', 'hello'])
    expect(chat.messages.value.map(m => m.isMine)).toEqual([true, false, true])
    expect(new Set(chat.messages.value.map(m => m.id)).size).toBe(3)
    expect(chat.messages.value.every(m => m.status === 'sent' && Object.isFrozen(m))).toBe(true)
    await nextTick()
    expect([...el.querySelectorAll('li')].map(li => li.textContent)).toEqual(['hello', 'hi', 'hello'])
    expect(chat.isConnected.value).toBe(true)
  })

  it('a send shows pending, then sent once the echo arrives', async () => {
    const { views, el } = mountAs(1, [2])
    const chat = views[0]!
    await live(chat)
    server.delay(80)
    const seen: string[] = []
    let id = ''
    const stop = watch(() => chat.messages.value.find(m => m.content === 'ping')?.status, (status) => {
      if (status && seen.at(-1) !== status) seen.push(status)
    }, { flush: 'sync' })
    const result = chat.send('ping')
    expect(result.ok).toBe(true)
    if (!result.ok) return
    id = result.message.id
    // Visible at once (the same tick), as queued (right after a replay) or pending.
    expect(['queued', 'pending']).toContain(chat.messages.value.find(m => m.id === id)?.status)
    expect(chat.hasPending.value).toBe(true)
    await when(() => chat.messages.value.find(m => m.id === id)?.status, s => s === 'pending', 'pending')
    await nextTick()
    expect(el.querySelector(`li[data-id="${id}"]`)?.getAttribute('data-status')).toBe('pending')
    await when(() => chat.messages.value.find(m => m.id === id)?.status, s => s === 'sent', 'message sent')
    stop()
    await nextTick()
    expect(el.querySelector(`li[data-id="${id}"]`)?.getAttribute('data-status')).toBe('sent')
    expect(seen.filter(s => s !== 'queued')).toEqual(['pending', 'sent'])
    expect(chat.hasPending.value).toBe(false)
    expect((await server.log(1, 2)).map(m => m.content)).toEqual(['ping'])
  })

  it('invalid input is refused without entering the timeline', async () => {
    const { views } = mountAs(1, [2])
    const chat = views[0]!
    await live(chat)
    const result = chat.send('   ')
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.code).toBe('empty_message')
    expect(chat.messages.value).toHaveLength(0)
  })

  it("the peer's live message arrives (and onMessage fires once)", async () => {
    const received: string[] = []
    const list = ref<PeerIdInput[]>([2])
    const views: UseChatReturn[] = []
    const m = mountApp(rootOf(chatView(c => views.push(c), { onMessage: msg => received.push(msg.content) }), list), testOptions(server))
    mounted.push(m)
    m.chat.client!.auth.setTokens(server.issueTokens(1))
    const chat = views[0]!
    await live(chat)
    const peer = await rawPeer(server, 2, 1)
    peer.send('from peer')
    const messages = await when(() => chat.messages.value, list => list.length === 1, 'peer message')
    expect(messages[0]).toMatchObject({ content: 'from peer', senderId: '2', receiverId: '1', isMine: false })
    expect(received).toEqual(['from peer'])
    expect(chat.unreadCount.value).toBe(1)
    chat.markRead()
    await when(() => chat.unreadCount.value, n => n === 0, 'read')
    await peer.close()
  })

  it('a server restart reconnects without duplicates', async () => {
    const { views } = mountAs(1, [2])
    const chat = views[0]!
    await live(chat)
    for (const text of ['a', 'b', 'a']) chat.send(text)
    await when(() => chat.hasPending.value, p => !p, 'sends confirmed')
    await server.stop()
    await when(() => chat.status.value, s => s !== 'live', 'noticed the drop')
    await server.start()
    await live(chat)
    await when(() => chat.hasPending.value, p => !p, 'settled')
    const log = (await server.log(1, 2)).map(m => m.content)
    expect(log).toEqual(['a', 'b', 'a'])
    expect(contents(chat)).toEqual(log)
    expect(new Set(chat.messages.value.map(m => m.id)).size).toBe(3)
  })

  it('a reload (new app, same storage) with a queued send loses nothing', async () => {
    const storage = createMemoryStorage()
    const first = mountAs(1, [2], { storage })
    await live(first.views[0]!)
    await server.stop()
    await when(() => first.views[0]!.status.value, s => s !== 'live', 'offline')
    const result = first.views[0]!.send('written offline')
    expect(result.ok && result.message.status).toBe('queued')
    first.unmount()
    mounted.splice(mounted.indexOf(first), 1)

    await server.start()
    const second = mountAs(1, [2], { storage })
    const chat = second.views[0]!
    await live(chat)
    await when(() => chat.messages.value.map(m => `${m.content}:${m.status}`).join(), s => s === 'written offline:sent', 'resent after reload')
    expect((await server.log(1, 2)).map(m => m.content)).toEqual(['written offline'])
  })

  it('a reload while a send is in flight does not double it', async () => {
    const storage = createMemoryStorage()
    const first = mountAs(1, [2], { storage })
    await live(first.views[0]!)
    server.delay(150)
    expect(first.views[0]!.send('in flight').ok).toBe(true)
    await waitFor(async () => (await server.log(1, 2)).length === 1, 'stored by the server')
    expect(first.views[0]!.messages.value[0]?.status).toBe('pending')
    first.unmount()
    mounted.splice(mounted.indexOf(first), 1)
    server.delay(0)

    const second = mountAs(1, [2], { storage })
    const chat = second.views[0]!
    await live(chat)
    await when(() => chat.hasPending.value, p => !p, 'settled')
    expect(contents(chat)).toEqual(['in flight'])
    expect((await server.log(1, 2)).map(m => m.content)).toEqual(['in flight'])
  })

  it('two components on one peer share one socket; the last unmount closes it', async () => {
    const { views, list, pinia } = mountAs(1, [2, 2])
    await Promise.all(views.map(live))
    expect(server.openSockets).toBe(1)
    expect(server.stats.handshakes).toBe(1)
    expect(views[0]!.messages.value).toBe(views[1]!.messages.value)

    list.value = [2]
    await nextTick()
    expect(views[0]!.status.value).toBe('live')
    expect(server.openSockets).toBe(1)

    list.value = []
    await waitFor(() => server.openSockets === 0, 'socket closed after the last unmount')
    expect(Object.keys(useChatStore(pinia).conversations)).toEqual([])
  })

  it('switching peerId switches conversation', async () => {
    await db.append({ sender_id: 3, reciever_id: 1, content: 'from three', createdAt: Date.now() - 1000, is_read: false })
    const peer = ref<PeerIdInput>(2)
    let chat!: UseChatReturn
    const View = chatView(c => (chat = c))
    const Root = defineComponent({ setup: () => () => h(View, { peerId: peer.value }) })
    const m2 = mountApp(Root, testOptions(server))
    mounted.push(m2)
    m2.chat.client!.auth.setTokens(server.issueTokens(1))
    await live(chat)
    expect(chat.peerId.value).toBe('2')
    expect(contents(chat)).toEqual([])
    peer.value = 3
    await when(() => contents(chat), c => c.join() === 'from three', 'peer 3 history')
    expect(chat.peerId.value).toBe('3')
    await live(chat)
    await waitFor(() => server.openSockets === 1, 'old socket closed')
    const store = useChatStore(m2.pinia)
    expect(Object.keys(store.conversations)).toEqual(['3'])
    expect(chat.send('to three').ok).toBe(true)
    await when(() => chat.hasPending.value, p => !p, 'sent')
    expect((await server.log(1, 3)).map(x => x.content)).toEqual(['from three', 'to three'])
    expect(await server.log(1, 2)).toEqual([])
  })

  it('an invalid peer id reports invalid_peer and opens nothing', async () => {
    const { views } = mountAs(1, ['abc'])
    const chat = views[0]!
    expect(chat.error.value?.code).toBe('invalid_peer')
    expect(chat.status.value).toBe('idle')
    const result = chat.send('x')
    expect(!result.ok && result.error.code).toBe('invalid_peer')
    expect(server.stats.handshakes).toBe(0)
  })

  it('close() lets go of the conversation before unmount', async () => {
    const { views } = mountAs(1, [2])
    const chat = views[0]!
    await live(chat)
    chat.close()
    expect(chat.status.value).toBe('closed')
    await waitFor(() => server.openSockets === 0, 'closed')
    expect(!chat.send('x').ok).toBe(true)
  })
})

describe('setup errors', () => {
  it('useChat without the plugin throws a ChatSetupError naming the fix', () => {
    let caught: unknown
    const app = createApp({
      setup() {
        try {
          useChat(2)
        }
        catch (error) {
          caught = error
        }
        return () => null
      },
    })
    app.use(createPinia())
    app.mount(document.createElement('div'))
    app.unmount()
    expect(caught).toBeInstanceOf(ChatSetupError)
    expect((caught as ChatSetupError).code).toBe('plugin_missing')
    expect((caught as ChatSetupError).message).toContain('app.use(ChatPlugin')
  })

  it('useChat outside setup() says so', () => {
    expect(() => useChat(2)).toThrowError(expect.objectContaining({ code: 'no_context' }))
  })

  it('installing the plugin before Pinia fails with the order to use', () => {
    const app = createApp({ render: () => null })
    expect(() => app.use(ChatPlugin, { baseUrl: server.url })).toThrowError(expect.objectContaining({ code: 'pinia_missing', message: expect.stringContaining('app.use(createPinia())') }))
  })
})
