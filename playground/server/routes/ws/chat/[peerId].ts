/**
 * `ws://host/ws/chat/{peerId}/?token=…` of the embedded dev backend (crossws via Nitro).
 * Authentication happens in the upgrade, as in Django Channels: a bad token fails the HTTP
 * upgrade (500 by default), which a browser sees as error + close 1006.
 */
import type { Peer } from 'crossws'
import type { ChatConnection, HandshakeSession } from '../../../../../src/testing/backend'

interface PeerState {
  session?: HandshakeSession
  /** `close4401` variant: accept the socket, then close it with 4401. */
  closeWith4401?: boolean
}

const connections = new WeakMap<Peer, ChatConnection>()

function connectionOf(peer: Peer): ChatConnection {
  let conn = connections.get(peer)
  if (!conn) {
    conn = {
      send: text => peer.send(text),
      close: code => peer.close(code),
      terminate: () => peer.terminate(),
    }
    connections.set(peer, conn)
  }
  return conn
}

function stateOf(context: Record<string, unknown>): PeerState {
  const state = (context.chat ??= {}) as PeerState
  return state
}

const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms))

export default defineWebSocketHandler({
  async upgrade(request) {
    const backend = useEmbeddedBackend()
    if (!backend) return new Response('Not found', { status: 404 })
    const result = backend.authenticate(request.url)
    if (result.ok) {
      stateOf(request.context).session = result
      return
    }
    if (result.rejection === 'close4401') {
      stateOf(request.context).closeWith4401 = true
      return
    }
    await sleep(result.delayMs)
    return new Response(null, { status: result.rejection === 'http403' ? 403 : 500 })
  },
  async open(peer) {
    const state = stateOf(peer.context)
    if (!state.session) {
      peer.close(state.closeWith4401 ? 4401 : 1011)
      return
    }
    const backend = useEmbeddedBackend()
    await backend?.open(connectionOf(peer), state.session)
  },
  async message(peer, message) {
    const backend = useEmbeddedBackend()
    // crossws does not say whether a frame was binary; the playground's client only sends text.
    await backend?.message(connectionOf(peer), message.text(), false)
  },
  async close(peer) {
    const backend = useEmbeddedBackend()
    backend?.close(connectionOf(peer))
  },
  async error(peer) {
    const backend = useEmbeddedBackend()
    backend?.close(connectionOf(peer))
  },
})
