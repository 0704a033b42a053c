import { expect, it } from 'vitest'
import WebSocket from 'ws'
import type { ConversationSnapshot, WebSocketConstructor } from 'vue-realtime-chat/core'
import { createChatServer, DEFAULT_USERS } from 'vue-realtime-chat/testing'
import { openChat } from './open-chat'

it('the vanilla sample chats against the test server', async () => {
  const server = await createChatServer({ handshakeRejectDelayMs: 20 })
  const [student] = DEFAULT_USERS
  let seen: (s: ConversationSnapshot) => void = () => {}
  const next = (check: (s: ConversationSnapshot) => boolean) => new Promise<void>((resolve) => {
    seen = (s) => { if (check(s)) resolve() }
  })
  const live = next(s => s.status === 'live')
  const chat = await openChat({
    baseUrl: server.url,
    email: student!.email,
    password: student!.password,
    peerId: 2,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    onChange: s => seen(s),
  })
  try {
    await live
    const sent = next(s => s.messages.length === 1 && s.messages[0]?.status === 'sent')
    expect(chat.send('Hello!').ok).toBe(true)
    expect(chat.send('   ').ok).toBe(false)
    await sent
    expect((await server.log(1, 2)).map(m => m.content)).toEqual(['Hello!'])
  }
  finally {
    chat.close()
    await server.close()
  }
})
