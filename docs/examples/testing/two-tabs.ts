import WebSocket from 'ws'
import { createChatClient, createMemoryStorage } from 'vue-realtime-chat/core'
import type { WebSocketConstructor } from 'vue-realtime-chat/core'
import { createInProcessLocks } from 'vue-realtime-chat/testing'

// Two "tabs" of one user: the same storage and the same lock manager. Node 20's global
// BroadcastChannel already connects channels inside one process.
const storage = createMemoryStorage()
const locks = createInProcessLocks()
const tab = () => createChatClient({
  baseUrl: 'http://127.0.0.1:8000',
  WebSocket: WebSocket as unknown as WebSocketConstructor,
  storage,
  locks,
})
export const [tabA, tabB] = [tab(), tab()]
