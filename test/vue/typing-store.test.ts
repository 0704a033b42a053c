import { afterEach, describe, expect, it } from 'vitest'
import { isReactive, isProxy, ref } from 'vue'
import { typingExtension, useChatStore, type PeerIdInput, type UseChatReturn } from 'vue-realtime-chat'
import { createChatServer, type ChatServer } from 'vue-realtime-chat/testing'
import { chatView, mountApp, rawPeer, rootOf, testOptions, when, type MountedChat } from './helpers'

let server: ChatServer | undefined
const mounted: MountedChat[] = []
afterEach(async () => {
  for (const m of mounted.splice(0)) m.unmount()
  await server?.close()
})

function user(s: ChatServer, userId: number, peerId: number, typing: boolean) {
  let chat!: UseChatReturn
  const m = mountApp(rootOf(chatView(c => (chat = c)), ref<PeerIdInput[]>([peerId])), testOptions(s, { extensions: { typing: typing && typingExtension } }))
  mounted.push(m)
  m.chat.client!.auth.setTokens(s.issueTokens(userId))
  return { ...m, chat: () => chat }
}

describe('typing indicator', () => {
  it('with extensions.typing, notifyTyping reaches the peer as typingPeers', async () => {
    server = await createChatServer({ extensions: true })
    const a = user(server, 1, 2, true)
    const b = user(server, 2, 1, true)
    await when(() => a.chat().status.value, s => s === 'live', 'a live')
    await when(() => b.chat().status.value, s => s === 'live', 'b live')
    expect(b.chat().typingPeers.value).toEqual([])
    a.chat().notifyTyping()
    const peers = await when(() => b.chat().typingPeers.value, p => p.length > 0, 'b sees a typing')
    expect(peers).toEqual(['1'])
    expect(a.chat().typingPeers.value).toEqual([])
  })

  it('with typing off, notifyTyping sends nothing (a reference server would kill the socket)', async () => {
    server = await createChatServer({ extensions: false })
    const a = user(server, 1, 2, false)
    const chat = a.chat()
    await when(() => chat.status.value, s => s === 'live', 'live')
    const handshakes = server.stats.handshakes
    chat.notifyTyping()
    chat.send('after typing')
    await when(() => chat.hasPending.value, p => !p, 'sent')
    expect(chat.status.value).toBe('live')
    expect(server.stats.handshakes).toBe(handshakes)
    expect(chat.typingPeers.value).toEqual([])
  })
})

describe('store shape for large conversations', () => {
  it('holds frozen, non-reactive messages and updates once per burst, not per frame', async () => {
    server = await createChatServer()
    let chat!: UseChatReturn
    const view = chatView((c) => {
      chat = c
    })
    const m = mountApp(rootOf(view, ref<PeerIdInput[]>([2])), testOptions(server))
    mounted.push(m)
    m.chat.client!.auth.setTokens(server.issueTokens(1))
    await when(() => chat.status.value, s => s === 'live', 'live')

    const store = useChatStore(m.pinia)
    const updates: number[] = []
    const stop = store.$subscribe(() => {
      updates.push(store.conversations['2']?.messages.length ?? 0)
    }, { flush: 'sync' })
    const peer = await rawPeer(server, 2, 1)
    const burst = 200
    for (let i = 0; i < burst; i++) peer.send(`m${i}`)
    const messages = await when(() => chat.messages.value, list => list.length === burst, 'all peer messages')
    stop()
    await peer.close()

    expect(messages.map(x => x.content)).toEqual(Array.from({ length: burst }, (_, i) => `m${i}`))
    expect(isReactive(messages) || isProxy(messages)).toBe(false)
    expect(isProxy(messages[0])).toBe(false)
    expect(Object.isFrozen(messages[0])).toBe(true)
    expect(Object.isFrozen(store.conversations['2'])).toBe(true)
    expect(updates.at(-1)).toBe(burst)
    expect(updates.length).toBeLessThan(burst / 2)
    if (process.env.VRC_REPORT) process.stdout.write(`store updates for ${burst} frames: ${updates.length}\n`)
  })
})
