// server/routes/ws/chat/[peer].ts
import { defineWebSocketHandler } from 'h3'
import type { ChatConnection, HandshakeSession } from 'vue-realtime-chat/testing'
import { chat } from './chat'

const conns = new WeakMap<object, ChatConnection>()

export default defineWebSocketHandler({
  async upgrade(request) {
    const result = chat.authenticate(request.url)
    request.context.chat = result
    if (result.ok) return
    // Reproduce the server's slow, opaque handshake failure.
    await new Promise(resolve => setTimeout(resolve, result.delayMs))
    if (result.rejection !== 'close4401')
      return new Response(null, { status: result.rejection === 'http403' ? 403 : 500 })
  },
  open(peer) {
    const result = peer.context.chat as ReturnType<typeof chat.authenticate>
    if (!result.ok) return peer.close(4401)
    const conn: ChatConnection = { send: t => peer.send(t), close: c => peer.close(c), terminate: () => peer.terminate() }
    conns.set(peer, conn)
    void chat.open(conn, result as HandshakeSession)
  },
  message(peer, message) {
    // crossws's node adapter does not say whether a frame was binary: treat frames as text.
    const conn = conns.get(peer)
    if (conn) void chat.message(conn, message.text(), false)
  },
  close(peer) {
    const conn = conns.get(peer)
    if (conn) chat.close(conn)
  },
})
