import type { ChatErrorCode, ChatMessage as RealChatMessage } from 'vue-realtime-chat/core'

// #region model
interface ChatMessage {
  readonly id: string // stable client id: the v-for key (the protocol has no ids)
  readonly senderId: string // user ids are strings everywhere (the JWT says "1", frames say 1)
  readonly receiverId: string
  readonly content: string
  readonly createdAt: string // ISO 8601; server time once a history replay confirmed it
  readonly serverTime: boolean
  readonly status: 'queued' | 'pending' | 'unknown' | 'sent' | 'failed'
  readonly isMine: boolean
  readonly isRead: boolean // server is_read, own read marker (peer messages), peer receipts (own messages)
  readonly error?: ChatErrorCode // why it failed
}
// #endregion model

// The page shows the interface above; this fails to compile when it drifts from the real type.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
export const documentedModelIsExact: Same<ChatMessage, RealChatMessage> = true
