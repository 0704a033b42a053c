import type { ComputedRef, MaybeRefOrGetter } from 'vue'
import { computed, shallowRef, toValue, watch } from 'vue'
import { tryOnScopeDispose } from '@vueuse/core'
import { ChatError } from '../core/errors'
import { normaliseUserId } from '../core/transport/protocol'
import { parsePeerId } from '../core/transport/urls'
import type { ChatMessage, ConnectionStatus, Conversation, SendResult, UserId } from '../core/types'
import { injectChatContext } from './context'
import { toErrorInfo, type ChatConversationState, type ChatErrorInfo } from './store'

/** A peer id as apps have it: a number, a numeric string, or nothing yet (e.g. a route param). */
export type PeerIdInput = number | string | null | undefined

export interface UseChatOptions {
  /**
   * Called for every new message from the peer (live, not from a history replay).
   * Use it for sounds or notifications instead of watching the last message
   * (identical messages would not re-trigger a watcher).
   * @default undefined
   */
  onMessage?: (message: ChatMessage) => void
}

export interface UseChatReturn {
  /** The conversation's normalised peer id; `null` while the input is missing or invalid. */
  readonly peerId: ComputedRef<UserId | null>
  /** Messages, oldest first. Frozen objects with stable `id`s: use `message.id` as the `v-for` key. */
  readonly messages: ComputedRef<readonly ChatMessage[]>
  /** Where `messages` come from: `'cache'` (cached history, until the replay ends), `'replay'` or `'none'`. */
  readonly source: ComputedRef<'none' | 'cache' | 'replay'>
  /** `idle`, `connecting`, `syncing`, `live`, `reconnecting`, `offline`, `unauthorized` or `closed`. */
  readonly status: ComputedRef<ConnectionStatus>
  /** `status === 'live'`: the history replay is done and sends go straight out. */
  readonly isConnected: ComputedRef<boolean>
  /** The last problem worth showing (cleared once live again), or an invalid peer id. */
  readonly error: ComputedRef<ChatErrorInfo | null>
  /** Peer messages not yet marked read. */
  readonly unreadCount: ComputedRef<number>
  /** Some own message is still `queued`, `pending` or `unknown`. */
  readonly hasPending: ComputedRef<boolean>
  /** Ids of peers typing right now (typing extension only; always empty otherwise). */
  readonly typingPeers: ComputedRef<readonly UserId[]>
  /**
   * Send `text` (queued while not live). Never throws: input the user can fix (empty, too long,
   * unstorable text, too many unsent messages) returns `{ ok: false, error }` and stays out of the
   * timeline.
   */
  send(text: string): SendResult
  /** Queue a `failed` or `unknown` own message again. */
  retry(messageId: string): void
  /** Remove an own message that is not `sent`. */
  discard(messageId: string): void
  /** Mark everything received so far read (persisted with the `storage` option). */
  markRead(): void
  /** Tell the peer the user is typing; throttled, and does nothing without the typing extension (`extensions.typing`). */
  notifyTyping(): void
  /** Drop the socket and connect again now (resets the backoff). */
  reconnect(): void
  /** Let go of the conversation before the component unmounts (it closes if nobody else holds it). */
  close(): void
}

const EMPTY: readonly never[] = Object.freeze([])

/**
 * One conversation, bound to the component: reactive state plus actions.
 * `peerId` may be a ref or getter: when it changes the old conversation is released and the new
 * one acquired. Conversations are shared (one socket per peer) across components and closed when
 * the last component using them unmounts. During SSR nothing connects.
 *
 * @param peerId the other user's id (ref, getter or value)
 * @example
 * ```ts
 * const props = defineProps<{ peerId: number }>()
 * const { messages, status, send } = useChat(() => props.peerId)
 * ```
 */
export function useChat(peerId: MaybeRefOrGetter<PeerIdInput>, options: UseChatOptions = {}): UseChatReturn {
  const context = injectChatContext('useChat')
  const { store, bindings } = context

  const peer = computed(() => normaliseUserId(toValue(peerId)))
  const closed = shallowRef(false)
  let held: { readonly peerId: UserId; readonly conversation: Conversation; readonly off: () => void } | null = null

  function detach(): void {
    const current = held
    if (!current) return
    held = null
    current.off()
    bindings.release(current.peerId)
  }

  function attach(id: UserId): void {
    const conversation = bindings.acquire(id)
    const off = options.onMessage ? conversation.on('message', options.onMessage) : () => {}
    held = { peerId: id, conversation, off }
  }

  if (context.connect) {
    const stop = watch(peer, (id) => {
      if (closed.value || held?.peerId === id) return
      detach()
      if (id !== null) attach(id)
    }, { immediate: true })
    tryOnScopeDispose(() => {
      stop()
      detach()
    })
  }

  const state = computed<ChatConversationState | undefined>(() => {
    const id = peer.value
    return id === null ? undefined : store.conversations[id]
  })

  const status = computed<ConnectionStatus>(() => closed.value ? 'closed' : state.value?.status ?? 'idle')

  /** Only called while `peer` is `null`, so parsing fails and names the problem. */
  const invalidPeer = (): ChatError => parsePeerId(toValue(peerId)).error as ChatError

  const error = computed<ChatErrorInfo | null>(() => {
    if (peer.value === null && toValue(peerId) != null) return toErrorInfo(invalidPeer())
    return state.value?.error ?? null
  })

  const typingPeers = computed<readonly UserId[]>((previous) => {
    const typing = state.value?.peerTyping ? state.value.peerId : null
    if (typing === null) return EMPTY
    return previous?.length === 1 && previous[0] === typing ? previous : [typing]
  })

  /** Run an action and show its result in the same tick (the core notifies a microtask later). */
  function act(action: (conversation: Conversation) => void): void {
    if (!held) return
    action(held.conversation)
    bindings.sync(held.peerId)
  }

  function notConnected(): SendResult {
    return { ok: false, error: peer.value === null ? invalidPeer() : new ChatError('closed', context.connect ? 'Conversation closed' : 'No chat during SSR') }
  }

  return {
    peerId: peer,
    messages: computed(() => state.value?.messages ?? EMPTY),
    source: computed(() => state.value?.source ?? 'none'),
    status,
    isConnected: computed(() => status.value === 'live'),
    error,
    unreadCount: computed(() => state.value?.unreadCount ?? 0),
    hasPending: computed(() => state.value?.hasPending ?? false),
    typingPeers,
    send(text) {
      if (!held) return notConnected()
      const result = held.conversation.send(text)
      bindings.sync(held.peerId)
      return result
    },
    retry: messageId => act(c => c.retry(messageId)),
    discard: messageId => act(c => c.discard(messageId)),
    markRead: () => act(c => c.markRead()),
    notifyTyping: () => held?.conversation.notifyTyping(),
    reconnect: () => held?.conversation.reconnect(),
    close: () => {
      closed.value = true
      detach()
    },
  }
}
