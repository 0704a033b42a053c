import WebSocket from 'ws'
import { createChatClient } from 'vue-realtime-chat/core'
import type { WebSocketConstructor } from 'vue-realtime-chat/core'

// Node 20 has no global WebSocket: inject one. Without any, conversations stay `idle`.
export const client = createChatClient({
  baseUrl: 'http://127.0.0.1:8000',
  WebSocket: WebSocket as unknown as WebSocketConstructor,
})
