import { afterEach, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createChatClient, createMemoryStorage } from 'vue-realtime-chat/core'
import type { ChatClient, Conversation, ConversationSnapshot, WebSocketConstructor } from 'vue-realtime-chat/core'
import { createChatServer, createManualSignals, DEFAULT_USERS } from 'vue-realtime-chat/testing'
import type { ChatServer } from 'vue-realtime-chat/testing'

/** Resolves once the conversation's snapshot satisfies `check`: no sleeps. */
function until(chat: Conversation, check: (s: ConversationSnapshot) => boolean): Promise<ConversationSnapshot> {
  return new Promise((resolve) => {
    const test = () => {
      const s = chat.getSnapshot()
      if (!check(s)) return
      off()
      resolve(s)
    }
    const off = chat.subscribe(test)
    test()
  })
}

let server: ChatServer
let client: ChatClient
afterEach(async () => {
  client.destroy()
  await server.close()
})

it('a message sent while offline is delivered once when the network is back', async () => {
  server = await createChatServer({ handshakeRejectDelayMs: 20 })
  const signals = createManualSignals()
  client = createChatClient({
    baseUrl: server.url,
    WebSocket: WebSocket as unknown as WebSocketConstructor, // Node 20 has no global WebSocket
    storage: createMemoryStorage(),
    signals,
    crossTab: false,
    replayQuietMs: 50, // a test needs no 300 ms quiet period
  })
  const [student] = DEFAULT_USERS
  await client.auth.login(student!.email, student!.password)
  const chat = client.conversation(2)
  await until(chat, s => s.status === 'live')

  signals.setOnline(false) // the browser says offline
  server.dropAll() // and the socket dies with it
  await until(chat, s => s.status === 'offline')
  chat.send('written on the train')
  signals.setOnline(true)

  await until(chat, s => s.messages[0]?.status === 'sent')
  expect((await server.log(1, 2)).map(m => m.content)).toEqual(['written on the train'])
})

it('survives a crash of the socket right after a send', async () => {
  server = await createChatServer({ handshakeRejectDelayMs: 20 })
  client = createChatClient({
    baseUrl: server.url,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    storage: createMemoryStorage(),
    crossTab: false,
    replayQuietMs: 50,
    reconnect: { baseDelayMs: 20, maxDelayMs: 100 },
  })
  client.auth.setTokens(server.issueTokens(1)) // skip the login round trip
  const chat = client.conversation(2)
  await until(chat, s => s.status === 'live')

  server.crashNext() // stored, then the socket closes with 1011 before the echo
  chat.send('hello')
  const s = await until(chat, s => s.status === 'live' && s.messages[0]?.status === 'sent')
  expect(s.messages).toHaveLength(1) // confirmed by the next replay, never resent
  expect(await server.log(1, 2)).toHaveLength(1)
})
