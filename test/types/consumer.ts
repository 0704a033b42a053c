/* eslint-disable vue/one-component-per-file -- small test components side by side */
/**
 * Compile-only: what a consumer app writes must type-check against the public entry points.
 * Run: npx vue-tsc --noEmit -p test/types/tsconfig.json
 */
import { createApp, defineComponent, h, inject, ref, type ComputedRef } from 'vue'
import { createPinia } from 'pinia'
import {
  ChatClientKey,
  ChatPlugin,
  ChatSetupError,
  createChat,
  DEFAULTS,
  useChat,
  useChatAuth,
  useChatClient,
  useChatStore,
  typingExtension,
  type ChatClient,
  type ChatDefaults,
  type ChatErrorInfo,
  type ChatMessage,
  type ChatPluginOptions,
  type ConnectionStatus,
  type MessageStatus,
  type SendResult,
  type UseChatOptions,
  type UseChatReturn,
  type UserId,
} from 'vue-realtime-chat'
import * as main from 'vue-realtime-chat'
import * as core from 'vue-realtime-chat/core'
import { computeBackoff, decodeFrame, encodeMessage, Timeline, type InboundFrame } from 'vue-realtime-chat/protocol'
import { escapeHtml, sanitizeHtml, vChatHtml } from 'vue-realtime-chat/sanitize'
import type { ChatPublicRuntimeConfig } from '../../nuxt-module/src/runtime/types'

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
function assertType<T extends true>(_ok?: T): void {}

const options: ChatPluginOptions = {
  baseUrl: 'https://school.example',
  storage: 'local',
  tokenStorage: 'memory',
  extensions: { typing: typingExtension },
  reconnect: { baseDelayMs: 500, maxDelayMs: 30_000 },
}
// @ts-expect-error storage accepts 'memory' | 'session' | 'local' | StorageAdapter only
const badStorage: ChatPluginOptions = { storage: 'cookie' }
void badStorage
// @ts-expect-error tokenStorage takes the same choices
const badTokenStorage: ChatPluginOptions = { tokenStorage: 'cookie' }
void badTokenStorage
// @ts-expect-error an extension is its import, not a flag
const badTyping: ChatPluginOptions = { extensions: { typing: true } }
void badTyping

// DEFAULTS is read-only and typed; a textarea can take its limit from it
const maxlength: number = DEFAULTS.maxMessageLength
void maxlength
// @ts-expect-error DEFAULTS is read-only
DEFAULTS.maxMessageLength = 1
// @ts-expect-error nested groups too
DEFAULTS.reconnect.maxAttempts = 1
// The Nuxt runtime config has one key per default, plus the URLs and tokenStorage.
assertType<Equal<keyof ChatPublicRuntimeConfig, keyof ChatDefaults | 'baseUrl' | 'apiUrl' | 'wsUrl' | 'tokenStorage'>>()

// Transport building blocks come from vue-realtime-chat/protocol, not from the app entries.
const decoded = decodeFrame('{"message":"hi","sender_id":2}')
if (decoded.ok) {
  const frame: InboundFrame = decoded.frame
  void frame
}
void [computeBackoff(2), encodeMessage('hi'), new Timeline({ selfId: '1', peerId: '2', now: Date.now })]
// @ts-expect-error internal to the library
void main.resolveOptions
// @ts-expect-error moved to vue-realtime-chat/protocol
void main.Timeline
// @ts-expect-error moved to vue-realtime-chat/protocol
void core.decodeFrame
// @ts-expect-error internal to the library
void core.createEmitter

const app = createApp({ render: () => null })
app.use(createPinia())
app.use(ChatPlugin, options)
app.use(createChat({ baseUrl: 'https://school.example' }))
// @ts-expect-error ChatPlugin options are typed
app.use(ChatPlugin, { baseUrl: 42 })
app.directive('chat-html', vChatHtml)

export const ChatView = defineComponent({
  props: { peerId: { type: Number, required: true } },
  setup(props) {
    const chatOptions: UseChatOptions = { onMessage: (m: ChatMessage) => void m.content }
    const chat: UseChatReturn = useChat(() => props.peerId, chatOptions)
    const { messages, status, isConnected, send, unreadCount, markRead, typingPeers, error, hasPending } = chat

    assertType<Equal<typeof messages, ComputedRef<readonly ChatMessage[]>>>()
    assertType<Equal<typeof status, ComputedRef<ConnectionStatus>>>()
    assertType<Equal<typeof isConnected, ComputedRef<boolean>>>()
    assertType<Equal<typeof unreadCount, ComputedRef<number>>>()
    assertType<Equal<typeof hasPending, ComputedRef<boolean>>>()
    assertType<Equal<typeof typingPeers, ComputedRef<readonly UserId[]>>>()
    assertType<Equal<typeof error, ComputedRef<ChatErrorInfo | null>>>()
    void [status, isConnected, unreadCount, typingPeers, error, hasPending]

    // readonly: the app cannot write the state
    // @ts-expect-error messages is a computed ref
    messages.value = []

    const first = messages.value[0]
    if (first) {
      const id: string = first.id
      const s: MessageStatus = first.status
      const mine: boolean = first.isMine
      const read: boolean = first.isRead
      const at: string = first.createdAt
      void [id, s, mine, read, at, first.senderId, first.receiverId, first.content]
      // @ts-expect-error messages are frozen
      first.content = 'x'
    }

    const result: SendResult = send('hello')
    if (!result.ok) {
      const code: string = result.error.code
      void code
    }
    else {
      void result.message.id
    }
    markRead()

    const { user, login, logout, isAuthenticated, onUnauthorized, setTokens } = useChatAuth()
    const maybeUser = login('a@b.c', 'pw')
    void maybeUser.then(u => u?.email)
    void logout()
    setTokens({ access: 'a', refresh: 'r' })
    onUnauthorized(e => void e.code)
    const authed: boolean = isAuthenticated.value
    void [user.value?.first_name, authed]

    const client: ChatClient = useChatClient()
    const injected = inject(ChatClientKey)
    void [client.peek(2), injected?.auth.getState().status]

    const store = useChatStore()
    const total: number = store.totalUnread
    const conv = store.conversations['2']
    void [total, conv?.messages.length, store.auth.user?.id]

    const peer = ref<number | null>(null)
    useChat(peer)
    useChat('3')

    return () => h('ul', messages.value.map(m => h('li', { key: m.id, innerHTML: escapeHtml(m.content) })))
  },
})

export function handle(e: unknown): string | undefined {
  return e instanceof ChatSetupError ? e.code : sanitizeHtml(String(e), { linkTarget: null })
}
