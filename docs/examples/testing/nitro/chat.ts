// server/utils/chat.ts: one backend per server process
import { createChatBackend } from 'vue-realtime-chat/testing'

export const chat = createChatBackend({ handshakeRejectDelayMs: 1000 /* , store: myDatabaseStore */ })
