import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defineComponent } from 'vue'
import type { ChatClient, Conversation, ConversationSnapshot } from 'vue-realtime-chat/core'
import type { ChatPluginOptions } from 'vue-realtime-chat'
import { createChatServer, createManualSignals, createMemoryStore, type ChatServer, type MessageStore } from 'vue-realtime-chat/testing'
import { until } from '../integration/helpers'
import { mountApp, testOptions, type MountedChat } from './helpers'

let server: ChatServer
let db: MessageStore
let open: MountedChat | null = null

beforeEach(async () => {
  db = createMemoryStore()
  server = await createChatServer({ store: db })
})

afterEach(async () => {
  open?.unmount()
  open = null
  await server.close()
})

/** One page load of a plain Vue app with the plugin; the previous page (if any) is gone first, as on a reload. */
function loadPage(extra: ChatPluginOptions = {}): ChatClient {
  open?.unmount()
  open = mountApp(defineComponent({ render: () => null }), testOptions(server, extra))
  return open.chat.client!
}

const settle = (chat: Conversation, predicate: (s: ConversationSnapshot) => boolean, what: string) => until(chat, predicate, what)
const live = (s: ConversationSnapshot) => s.status === 'live' && !s.hasPending
const storedKeys = (): string[] => Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i)!).sort()
const storedText = (): string => storedKeys().map(k => localStorage.getItem(k)).join('\n')

/** Signs in, goes offline, queues `text`, and leaves the page. */
async function queueOffline(text: string, extra: ChatPluginOptions = {}): Promise<void> {
  const signals = createManualSignals()
  const client = loadPage({ ...extra, signals })
  await client.auth.login('student@example.com', 'student123')
  const chat = client.conversation(2)
  await settle(chat, live, 'live before going offline')
  signals.setOnline(false)
  await settle(chat, s => s.status === 'offline', 'offline')
  expect(chat.send(text).ok).toBe(true)
  chat.release()
}

describe('default storage: a reload loses nothing', () => {
  it('with no storage option the login and a message queued offline survive a reload, and it is sent once', async () => {
    await queueOffline('written offline')
    expect(storedKeys()).toEqual(expect.arrayContaining(['vrc:auth', 'vrc:outbox:1:2']))

    const client = loadPage()
    expect(client.auth.getState()).toMatchObject({ status: 'authenticated', userId: '1' })
    const chat = client.conversation(2)
    await settle(chat, live, 'live with nothing pending after the reload')
    expect(chat.getSnapshot().messages.map(m => [m.content, m.status])).toEqual([['written offline', 'sent']])
    expect((await server.log(1, 2)).map(m => m.content)).toEqual(['written offline'])
  })

  it("tokenStorage: 'memory' keeps tokens out of localStorage; after a reload and a new login the queued message is sent once", async () => {
    await queueOffline('queued before reload', { tokenStorage: 'memory' })
    expect(storedKeys()).toContain('vrc:outbox:1:2')
    expect(storedKeys()).not.toContain('vrc:auth')
    expect(storedText()).not.toMatch(/eyJ/)

    const client = loadPage({ tokenStorage: 'memory' })
    expect(client.auth.getState().status).toBe('anonymous')
    await client.auth.login('student@example.com', 'student123')
    const chat = client.conversation(2)
    await settle(chat, live, 'live with nothing pending after the new login')
    expect((await server.log(1, 2)).map(m => m.content)).toEqual(['queued before reload'])
    expect(storedText()).not.toMatch(/eyJ/)
  })

  it("logout removes everything the user left in storage, and nothing of another user's", async () => {
    localStorage.setItem('vrc:outbox:3:2', '[]')
    localStorage.setItem('unrelated', 'kept')
    await queueOffline('never sent')
    const client = loadPage({ signals: { isOnline: () => false, isVisible: () => true, subscribe: () => () => {} } })
    const chat = client.conversation(2)
    chat.markRead()
    expect(storedKeys()).toEqual(expect.arrayContaining(['vrc:auth', 'vrc:outbox:1:2', 'vrc:read:1:2', 'vrc:peers:1']))
    chat.release()
    await client.auth.logout()
    // Outbox owner liveness (heartbeat keys, the owner index) is the browser's, not the user's data.
    expect(storedKeys().filter(k => k !== 'vrc:owners' && !k.startsWith('vrc:owner:'))).toEqual(['unrelated', 'vrc:outbox:3:2'])

    const next = loadPage()
    await next.auth.login('student@example.com', 'student123')
    const after = next.conversation(2)
    await settle(after, live, 'live after logging in again')
    expect(after.getSnapshot().messages).toEqual([])
    expect(await server.log(1, 2)).toEqual([])
  })
})
