import type { ComputedRef, MaybeRefOrGetter } from 'vue'
import { computed, toValue, watch } from 'vue'
import { tryOnScopeDispose } from '@vueuse/core'
import { normaliseUserId } from '../core/transport/protocol'
import type { ChatMessage, ConnectionStatus, UserId } from '../core/index'
import { injectChatContext } from './context'
import type { ChatConversationState } from './store'
import type { PeerIdInput } from './useChat'

/** How many conversations `useChatInbox` keeps open unless told otherwise. */
export const INBOX_MAX_OPEN = 10

/** One peer of an inbox: plain frozen data, a new object only when that conversation changed. */
export interface ChatInboxEntry {
  readonly peerId: UserId
  /** The newest message, own or the peer's; `null` when there is none or no socket gave the history yet. */
  readonly lastMessage: ChatMessage | null
  /** `lastMessage.createdAt` in epoch ms (`0` without one): what the inbox sorts by. */
  readonly lastActivity: number
  readonly unreadCount: number
  /** `'idle'` while nothing holds this conversation (a peer beyond `maxOpen`). */
  readonly status: ConnectionStatus
  /** The peer is typing (typing extension only). */
  readonly typing: boolean
  /** Some component holds this conversation, so the entry is live (`false` for a peer beyond `maxOpen` nobody else opened). */
  readonly open: boolean
}

export interface UseChatInboxOptions {
  /**
   * Most conversations this inbox holds open. Each one is a socket, and every connect replays that
   * conversation's whole history once. The first `maxOpen` distinct peers of the list get one (put
   * the most important first); a peer further down still shows live data while some other component
   * (e.g. an open chat window) holds its conversation.
   * @default 10
   */
  maxOpen?: number
}

export interface UseChatInboxReturn {
  /**
   * One entry per distinct valid peer of the list, newest activity first; peers without activity
   * keep the list's order, at the end.
   */
  readonly entries: ComputedRef<readonly ChatInboxEntry[]>
  /** Unread messages across the listed peers. */
  readonly unreadTotal: ComputedRef<number>
}

interface Cached {
  readonly state: ChatConversationState | undefined
  readonly entry: ChatInboxEntry
}

function toEntry(peerId: UserId, state: ChatConversationState | undefined): ChatInboxEntry {
  const lastMessage = state?.messages.at(-1) ?? null
  return Object.freeze({
    peerId,
    lastMessage,
    lastActivity: (lastMessage && Date.parse(lastMessage.createdAt)) || 0,
    unreadCount: state?.unreadCount ?? 0,
    status: state?.status ?? 'idle',
    typing: state?.peerTyping ?? false,
    open: Boolean(state),
  })
}

/**
 * A summary of many conversations for a contact list or an inbox: per peer the last message, unread
 * count, status and typing, sorted by last activity, and the unread total. This protocol tells about
 * new messages only over an open conversation, so the inbox holds one (ref-counted, shared with
 * `useChat`) for each of the first `maxOpen` peers and lets go of them when the list changes or the
 * component unmounts. During SSR it opens nothing and reads the store.
 *
 * @param peerIds the peers to list (array, ref or getter; numbers or numeric strings)
 * @example
 * ```ts
 * const { entries, unreadTotal } = useChatInbox(() => contacts.value.map(c => c.id))
 * ```
 */
export function useChatInbox(peerIds: MaybeRefOrGetter<readonly PeerIdInput[]>, options: UseChatInboxOptions = {}): UseChatInboxReturn {
  const { store, bindings, connect } = injectChatContext('useChatInbox')
  const maxOpen = options.maxOpen ?? INBOX_MAX_OPEN

  const ids = computed(() => {
    const seen = new Set<UserId>()
    for (const input of toValue(peerIds)) {
      const id = normaliseUserId(input)
      if (id !== null) seen.add(id)
    }
    return [...seen]
  })

  if (connect) {
    const held = new Set<UserId>()
    const stop = watch(() => ids.value.slice(0, maxOpen), (wanted) => {
      for (const id of held) {
        if (wanted.includes(id)) continue
        held.delete(id)
        bindings.release(id)
      }
      for (const id of wanted) {
        if (held.has(id)) continue
        held.add(id)
        bindings.acquire(id)
      }
    }, { immediate: true })
    tryOnScopeDispose(() => {
      stop()
      for (const id of held) bindings.release(id)
      held.clear()
    })
  }

  // Same state, same entry object: a list keyed by peer re-renders only the rows that changed.
  let cache = new Map<UserId, Cached>()
  const entries = computed(() => {
    const next = new Map<UserId, Cached>()
    const list = ids.value.map((id) => {
      const state = store.conversations[id]
      const known = cache.get(id)
      const entry = known && known.state === state ? known.entry : toEntry(id, state)
      next.set(id, { state, entry })
      return entry
    })
    cache = next
    return list.sort((a, b) => b.lastActivity - a.lastActivity)
  })

  return {
    entries,
    unreadTotal: computed(() => entries.value.reduce((sum, entry) => sum + entry.unreadCount, 0)),
  }
}
