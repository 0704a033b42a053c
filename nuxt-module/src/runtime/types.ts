/**
 * Option types of the Nuxt module. Only JSON-serialisable values: they travel through
 * `runtimeConfig.public.chat` into the page payload (so never put a secret here). Options that
 * are functions or objects (logger, fetch, WebSocket, storage adapters, ...) go through the
 * `chat:options` runtime hook instead.
 */
// The module augmented below; a type-only import, erased in the build.
import type {} from 'nuxt/app'
import type { ChatPluginOptions, NotifyStrategy } from 'vue-realtime-chat'

/** A browser storage for the chat's data or session. */
export type ChatStorageKind = 'memory' | 'session' | 'local'

/** The resolved `runtimeConfig.public.chat` (every key present). */
export interface ChatPublicRuntimeConfig {
  /**
   * Origin of the chat backend, e.g. `https://school.example`. Empty: the page origin.
   * Override at run time with `NUXT_PUBLIC_CHAT_BASE_URL`.
   * @default ''
   */
  baseUrl: string
  /** REST base (`{apiUrl}/api/auth/login/`). Empty: `baseUrl`. `NUXT_PUBLIC_CHAT_API_URL`. @default '' */
  apiUrl: string
  /** WebSocket base (`{wsUrl}/ws/chat/{peerId}/`). Empty: `baseUrl` with http→ws. `NUXT_PUBLIC_CHAT_WS_URL`. @default '' */
  wsUrl: string
  /**
   * Where unsent messages, read markers and receipts persist in the browser (no secrets): `local`
   * sends what was queued after a reload or from another tab; `memory` loses it on reload.
   * `NUXT_PUBLIC_CHAT_STORAGE`.
   * @default 'local'
   */
  storage: ChatStorageKind
  /**
   * Where the session (tokens) persists in the browser. Empty: the same as `storage`. `memory` is
   * safest against XSS but signs out on reload; `session` keeps one tab signed in; `local` shares
   * one session between tabs. `NUXT_PUBLIC_CHAT_TOKEN_STORAGE`.
   * @default ''
   */
  tokenStorage: ChatStorageKind | ''
  /** Key prefix in storage. @default 'vrc' */
  storageKey: string
  /** JWT claim holding the user id. @default 'user_id' */
  userIdClaim: string
  /** Refresh the access token when it expires within this many ms. @default 300000 */
  refreshThresholdMs: number
  /** Tolerated difference between client and server clocks, in ms. @default 30000 */
  clockSkewMs: number
  /** The history replay is over after this long without a frame. @default 300 */
  replayQuietMs: number
  /** Longest inbound frame in characters; longer ones are dropped and reported. @default 1048576 */
  maxFrameLength: number
  /** A history replay past this many frames is cut off (`replay_too_long`) and the socket reopened. @default 500000 */
  maxReplayFrames: number
  /** A history replay still going this long after the socket opened is cut off likewise. @default 300000 */
  maxReplayMs: number
  /** Reconnect when a send gets no echo within this many ms (the replay then decides); 0 disables. @default 10000 */
  echoTimeoutMs: number
  /** Ignored writes of one message (no echo on an open socket, missing from the next replay) before it turns `failed`; 0 never gives up. @default 3 */
  maxSendAttempts: number
  /** Longest message accepted by `send()`. @default 5000 */
  maxMessageLength: number
  /** Accept empty or whitespace-only messages. @default false */
  allowEmpty: boolean
  /** Trim messages before sending. @default true */
  trim: boolean
  /** Close sockets while the page is hidden. @default false */
  pauseWhenHidden: boolean
  /** Coordinate token refresh and outbox ownership across tabs. @default true */
  crossTab: boolean
  /** How subscriber calls are batched: `'timeout'` (throttled during bursts) or `'microtask'`. @default 'timeout' */
  notify: NotifyStrategy
  /** Outbox owner heartbeat period in ms. @default 5000 */
  heartbeatMs: number
  /** Shortest gap between two typing frames we send, in ms. @default 3000 */
  typingThrottleMs: number
  /** How long the peer shows as typing after its last typing frame, in ms. @default 5000 */
  typingTimeoutMs: number
  /** Show each conversation's cached history at once (IndexedDB), reconciled by the replay. */
  historyCache: {
    /** `NUXT_PUBLIC_CHAT_HISTORY_CACHE_ENABLED`. @default false */
    enabled: boolean
    /** Newest messages kept per conversation. @default 1000 */
    maxMessages: number
  }
  reconnect: {
    /** First retry delay ceiling in ms (full jitter). @default 500 */
    baseDelayMs: number
    /** Ceiling for any retry delay in ms. @default 30000 */
    maxDelayMs: number
    /** Give up after this many consecutive failures; `0` never gives up. @default 0 */
    maxAttempts: number
  }
  /** Opt-in extension frames: reference (Django Channels) servers close the socket on them. */
  extensions: {
    /** Typing indicator frames. @default false */
    typing: boolean
    /** Read receipt frames. @default false */
    readReceipts: boolean
  }
}

/** Options of the `chat` key in `nuxt.config` (all optional, see {@link ChatPublicRuntimeConfig}). */
export interface ChatModuleOptions extends Partial<Omit<ChatPublicRuntimeConfig, 'reconnect' | 'extensions'>> {
  reconnect?: Partial<ChatPublicRuntimeConfig['reconnect']>
  extensions?: Partial<ChatPublicRuntimeConfig['extensions']>
}

/** What the `chat:options` hook is told besides the options. */
export interface ChatOptionsHookContext {
  /** `true` in the browser, `false` during a server render (which never connects). */
  readonly isClient: boolean
}

// In the app's types (the runtime plugin imports this file), not only in nuxt.config's.
declare module 'nuxt/app' {
  interface RuntimeNuxtHooks {
    /**
     * Called once per app instance, before the chat client is created, with the plugin options
     * built from runtime config: change them in place to set what runtime config cannot carry
     * (`logger`, `fetch`, `WebSocket`, storage adapters, `scheduler`, `signals`, ...). Register it
     * from a plugin with `enforce: 'pre'` so it runs before the module's plugin.
     */
    'chat:options': (options: ChatPluginOptions, context: ChatOptionsHookContext) => void | Promise<void>
  }
}
