import { computed, ref } from 'vue'
import { defineStore } from 'pinia'
import type { ChatError, ChatErrorCode } from '../core/errors'
import type { AuthState, AuthStatus, ChatMessage, ChatUser, ConnectionStatus, ConversationSnapshot, UserId } from '../core/types'

/** A `ChatError` as plain, serialisable data (what the store and the composables expose). */
export interface ChatErrorInfo {
  readonly code: ChatErrorCode
  readonly message: string
  /** HTTP status or WebSocket close code, when there is one. */
  readonly status?: number
}

/** One conversation as the store holds it: plain data, frozen, replaced as a whole on every change. */
export interface ChatConversationState {
  readonly peerId: UserId
  readonly status: ConnectionStatus
  /** Oldest first. Frozen `ChatMessage` objects with stable `id`s. */
  readonly messages: readonly ChatMessage[]
  /** Where `messages` come from (see `ConversationSnapshot.source`). */
  readonly source: 'none' | 'cache' | 'replay'
  readonly unreadCount: number
  /** Some own message is `queued`, `pending` or `unknown`. */
  readonly hasPending: boolean
  readonly error: ChatErrorInfo | null
  /** Only ever `true` with the typing extension on. */
  readonly peerTyping: boolean
  /** Reconnect attempts since the conversation was last live. */
  readonly attempt: number
}

/** The signed-in user as the store holds it. Tokens are never part of it. */
export interface ChatAuthInfo {
  readonly status: AuthStatus
  readonly user: ChatUser | null
  readonly userId: UserId | null
  /** Last login / refresh failure, cleared by a successful login. */
  readonly error: ChatErrorInfo | null
}

/** Pinia id of {@link useChatStore}. */
export const CHAT_STORE_ID = 'vue-realtime-chat'

/** Convert a `ChatError` (or anything thrown) into serialisable {@link ChatErrorInfo}. */
export function toErrorInfo(error: ChatError | { code: ChatErrorCode; message: string; status?: number }): ChatErrorInfo {
  const info: { code: ChatErrorCode; message: string; status?: number } = { code: error.code, message: error.message }
  if (typeof error.status === 'number') info.status = error.status
  return Object.freeze(info)
}

function toConversationState(peerId: UserId, snapshot: ConversationSnapshot): ChatConversationState {
  // Frozen so Vue never makes it (or the messages under it) deeply reactive.
  return Object.freeze({
    peerId,
    status: snapshot.status,
    messages: snapshot.messages,
    source: snapshot.source,
    unreadCount: snapshot.unreadCount,
    hasPending: snapshot.hasPending,
    error: snapshot.error ? toErrorInfo(snapshot.error) : null,
    peerTyping: snapshot.peerTyping,
    attempt: snapshot.attempt,
  })
}

/**
 * The chat's Pinia store: serialisable state only (safe in an SSR payload, readable in devtools).
 * The plugin keeps it in sync with the client; apps read it, e.g. `totalUnread` for a badge.
 * The `apply*`/`remove*` actions are the plugin's: calling them from an app desyncs the store.
 */
export const useChatStore = defineStore(CHAT_STORE_ID, () => {
  /** Conversations some component holds, keyed by normalised peer id. */
  const conversations = ref<Record<UserId, ChatConversationState>>({})
  const auth = ref<ChatAuthInfo>({ status: 'anonymous', user: null, userId: null, error: null })

  /** Unread messages across every held conversation. */
  const totalUnread = computed(() => {
    let total = 0
    for (const state of Object.values(conversations.value)) total += state.unreadCount
    return total
  })

  /** @internal */
  function applySnapshot(peerId: UserId, snapshot: ConversationSnapshot): void {
    conversations.value[peerId] = toConversationState(peerId, snapshot)
  }

  /** @internal */
  function removeConversation(peerId: UserId): void {
    delete conversations.value[peerId]
  }

  /** @internal */
  function applyAuth(state: AuthState): void {
    const current = auth.value
    const error = state.status === 'authenticated' ? null : current.error
    if (current.status === state.status && current.user === state.user && current.userId === state.userId && current.error === error) return
    auth.value = { status: state.status, user: state.user, userId: state.userId, error }
  }

  /** @internal */
  function setAuthError(error: ChatErrorInfo | null): void {
    auth.value = { ...auth.value, error }
  }

  return { conversations, auth, totalUnread, applySnapshot, removeConversation, applyAuth, setAuthError }
})

/** The store instance type. */
export type ChatStore = ReturnType<typeof useChatStore>
