/**
 * Public types of the framework-agnostic core. Every other module implements or consumes these.
 * No vue, no pinia, no DOM globals at import time.
 */
import type { ChatError, ChatErrorCode } from './errors'
import type { HistoryCacheAdapter } from './persistence/history-cache'
import type { ReadReceiptsExtension, TypingExtension } from './extensions'

/** Every user id is normalised to a string (the JWT says `"1"`, frames say `1`). */
export type UserId = string

/**
 * Lifecycle of one message in a conversation timeline.
 * - `queued`: not yet sent (offline, or the history replay has not ended yet).
 * - `pending`: written to the socket, no echo yet.
 * - `unknown`: the socket dropped between send and echo; the next replay decides.
 * - `sent`: stored by the server (echo seen or present in a replay).
 * - `failed`: rejected locally (e.g. too long) or given up; `retry()` / `discard()` apply.
 */
export type MessageStatus = 'queued' | 'pending' | 'unknown' | 'sent' | 'failed'

/** One message as the library models it (never the wire format). Objects are frozen. */
export interface ChatMessage {
  /** Stable client-side id: safe as a `v-for` / React key across replays and reconnects. */
  readonly id: string
  readonly senderId: UserId
  readonly receiverId: UserId
  readonly content: string
  /** ISO 8601. Server time once a replay confirmed the message, local receive/send time before. */
  readonly createdAt: string
  /** `true` once `createdAt` comes from the server (a replay). */
  readonly serverTime: boolean
  readonly status: MessageStatus
  /** `senderId` equals the signed-in user. */
  readonly isMine: boolean
  /**
   * Server `is_read` or the client-side read marker, whichever says read. For own messages: also
   * read by the peer per a read receipt (`extensions.readReceipts`): every own message stored before
   * the peer's latest receipt. Receipts are kept as a count of own messages, persisted per user and peer.
   */
  readonly isRead: boolean
  /** Why a `failed` message failed. */
  readonly error?: ChatErrorCode
}

/**
 * Connection state of one conversation.
 * `idle → connecting → syncing (history replay) → live`; `reconnecting` after a drop;
 * `offline` while the browser says so; `unauthorized` is terminal until a new login;
 * `closed` after release()/close().
 */
export type ConnectionStatus =
  | 'idle'
  | 'connecting'
  | 'syncing'
  | 'live'
  | 'reconnecting'
  | 'offline'
  | 'unauthorized'
  | 'closed'

/**
 * What the connection of one conversation is doing; its `ConnectionStatus` follows from it (the
 * phases that share a status's name show as that status).
 * - `idle`: not started, stopped, signed out, or no WebSocket constructor (SSR); `paused`: closed
 *   while the page is hidden (`pauseWhenHidden`), shown as `idle`.
 * - `connecting`: the first attempt (token, handshake); `reconnecting`: a later attempt.
 * - `syncing`: the socket is open and the history replay runs; `live`: the replay is over.
 * - `backoff`: waiting before the next attempt; `diagnosing`: a handshake failed and REST is asked
 *   whether the session still holds; `gave_up`: `reconnect.maxAttempts` reached, until an
 *   online/visibility change or `reconnect()`. All three show as `reconnecting`.
 * - `offline`, `unauthorized`, `closed`: as the status.
 */
export type ConnectionPhase = ConnectionStatus | 'paused' | 'backoff' | 'diagnosing' | 'gave_up'

/**
 * Why the connection changed phase: the code of the error that caused it, or one of these.
 * - App and environment: `start`, `stop`, `reconnect` (asked for), `offline`, `online`, `hidden`,
 *   `visible`, `no_websocket`.
 * - Attempts: `retry` (the backoff is over), `open`, `refreshed` (a failed handshake got a new
 *   token), `outage` (it failed for another reason), `dropped` (the socket closed),
 *   `echo_timeout` (an own message got no echo in time).
 * - The replay: it ended at the `live_frame`, after a `quiet` period, with `no_history` (no frame
 *   within the first-frame wait) or `short_accepted` (the server really lost messages); it was cut
 *   off as `stalled` (short, then silent); history after the end continued it (`late_history`) or
 *   forced a new replay (`resync`).
 */
export type TransitionReason =
  | ChatErrorCode
  | 'start' | 'stop' | 'reconnect' | 'offline' | 'online' | 'hidden' | 'visible' | 'no_websocket'
  | 'retry' | 'open' | 'refreshed' | 'outage' | 'dropped' | 'echo_timeout'
  | 'live_frame' | 'quiet' | 'no_history' | 'short_accepted' | 'stalled' | 'late_history' | 'resync'

/** One change of `ConnectionPhase`. Carries no token and no URL. */
export interface ConnectionTransition {
  readonly from: ConnectionPhase
  readonly to: ConnectionPhase
  readonly reason: TransitionReason
  /** Scheduler time (epoch ms by default). */
  readonly at: number
}

/** A history replay that ended: what it held, how long it took, what it changed in the timeline. */
export interface ReplaySummary {
  /** History frames received. */
  readonly frames: number
  /** From the socket's open to the end. */
  readonly durationMs: number
  /** From the open to the first history frame; `null` when none came. */
  readonly firstFrameMs: number | null
  /** Server messages new to this client. */
  readonly inserted: number
  /** Own messages the replay proved stored. */
  readonly confirmed: number
  /** Own messages the replay proved lost, queued to be sent again. */
  readonly requeued: number
  /** Local copies the replay proved phantom. */
  readonly removed: number
}

/** Immutable view of one conversation; a new object after every change, the same object otherwise. */
export interface ConversationSnapshot {
  readonly peerId: UserId
  readonly status: ConnectionStatus
  readonly messages: readonly ChatMessage[]
  /**
   * Where `messages` come from: `'cache'` (the history cache, until the first replay ends),
   * `'replay'` (the server's history: a completed replay, or the first one as it arrives while
   * `status` is `syncing`), `'none'` (nothing shown yet).
   */
  readonly source: 'none' | 'cache' | 'replay'
  readonly unreadCount: number
  /** Some own message is `queued`, `pending` or `unknown`. */
  readonly hasPending: boolean
  /** Last error worth showing (cleared when the conversation is live again). */
  readonly error: ChatError | null
  /** The peer is typing (only with the typing extension enabled). */
  readonly peerTyping: boolean
  /**
   * Reconnect attempts since the conversation was last live; a socket that dropped within
   * min(10 s, `reconnect.maxDelayMs`) of going live does not start the count (and the backoff) over.
   */
  readonly attempt: number
}

/** The user object the REST API returns. */
export interface ChatUser {
  readonly id: UserId
  readonly email: string
  readonly role: 'student' | 'parent' | (string & {})
  readonly first_name: string
  readonly last_name: string
  readonly [key: string]: unknown
}

export interface TokenPair {
  access: string
  /** Absent when the app only has an access token. */
  refresh?: string
}

export type AuthStatus = 'anonymous' | 'authenticated' | 'refreshing' | 'unauthorized'

export interface AuthState {
  readonly status: AuthStatus
  readonly user: ChatUser | null
  /** From the JWT claim (`user_id` by default), normalised to a string. */
  readonly userId: UserId | null
  /** Access token expiry, epoch ms. */
  readonly expiresAt: number | null
}

/**
 * Synchronous key/value storage for tokens, the outbox and read markers (`localStorage`'s shape).
 * `setItem` throws when the value could not be persisted (quota, private mode): the core then treats
 * the write as not done, so it never counts on a value another tab or a reload would not see.
 */
export interface StorageAdapter {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

/** The part of the WebSocket constructor the core uses (browser, `ws`, happy-dom all fit). */
export interface WebSocketLike {
  readonly readyState: number
  onopen: ((ev: unknown) => void) | null
  onclose: ((ev: { code: number; reason?: string; wasClean?: boolean }) => void) | null
  onerror: ((ev: unknown) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  send(data: string): void
  close(code?: number, reason?: string): void
}
export type WebSocketConstructor = new (url: string) => WebSocketLike

export type FetchLike = (input: string, init?: {
  method?: string
  headers?: Record<string, string>
  body?: string
  signal?: AbortSignal
}) => Promise<{ ok: boolean; status: number; json(): Promise<unknown>; text(): Promise<string> }>

/** Timers and clock, injectable for fake-timer tests. */
export interface Scheduler {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/**
 * Environment signals: the browser's online/offline and page visibility. Injected so the core runs
 * in Node, tests and SSR. The Vue layer feeds these from VueUse.
 */
export interface EnvironmentSignals {
  isOnline(): boolean
  isVisible(): boolean
  /** Calls `listener` on every change; returns an unsubscribe function. */
  subscribe(listener: () => void): () => void
}

export interface ReconnectOptions {
  /** First retry delay ceiling (full jitter: the delay is random in [0, ceiling]). @default 500 */
  baseDelayMs?: number
  /** Ceiling for any delay. @default 30000 */
  maxDelayMs?: number
  /** Give up after this many consecutive failed attempts (status stays `reconnecting` with an error). @default Infinity */
  maxAttempts?: number
}

/**
 * Opt-in extension frames. Reference servers close the socket (1011) on unknown frames. Each is on
 * only with its exported extension as the value, so an app that does not import it does not bundle it.
 */
export interface ExtensionOptions {
  /** `typingExtension`: send `{"type":"typing"}` frames and read the peer's. @default false */
  typing?: TypingExtension | false
  /** `readReceiptsExtension`: send `{"type":"read"}` frames and apply the peer's. @default false */
  readReceipts?: ReadReceiptsExtension | false
}

/** Optional sink for diagnostics. Never receives a token or a URL that carries one. */
export interface ChatLogger {
  debug?(message: string, details?: Record<string, unknown>): void
  warn?(message: string, details?: Record<string, unknown>): void
}

/** The history cache's settings (see `ChatClientOptions.historyCache`). */
export interface HistoryCacheOptions {
  /** `false` turns the cache off (as when the option is absent). @default true */
  enabled?: boolean
  /** Newest messages kept per conversation. @default 1000 */
  maxMessages?: number
  /** Where the cache lives. @default IndexedDB in browsers (`createIndexedDbHistoryCache()`), memory elsewhere */
  adapter?: HistoryCacheAdapter
}

export interface ChatClientOptions {
  /** Origin of the backend, e.g. `https://school.example`. Defaults to the page origin in a browser. */
  baseUrl?: string
  /** REST base; `{apiUrl}/api/auth/login/`. @default baseUrl */
  apiUrl?: string
  /** WebSocket base; `{wsUrl}/ws/chat/{peerId}/`. @default baseUrl with http→ws, https→wss */
  wsUrl?: string
  /** @default globalThis.WebSocket (absent under Node 20 and SSR: then no socket is ever opened) */
  WebSocket?: WebSocketConstructor
  /** @default globalThis.fetch */
  fetch?: FetchLike
  /**
   * Where unsent messages, read markers and read receipts persist (no secrets: a reload or another
   * tab picks up what is queued). Every key names the user; `logout()` removes them.
   * @default `createWebStorage('local')`: `localStorage` in a browser, memory where there is none (SSR, Node)
   */
  storage?: StorageAdapter
  /**
   * Where the session (access and refresh token, profile) persists. Memory is safest against XSS but
   * signs the user out on every reload; `localStorage` survives reloads and lets tabs share one
   * session (one refresh for all of them, so a rotated refresh token never logs another tab out).
   * @default the `storage` adapter
   */
  tokenStorage?: StorageAdapter
  /** Key prefix in storage. @default 'vrc' */
  storageKey?: string
  scheduler?: Scheduler
  signals?: EnvironmentSignals
  /** JWT claim holding the user id. @default 'user_id' */
  userIdClaim?: string
  /** Refresh the access token when it expires within this many ms. @default 300000 (5 min) */
  refreshThresholdMs?: number
  /** Tolerated difference between client and server clocks. @default 30000 */
  clockSkewMs?: number
  reconnect?: ReconnectOptions
  /**
   * The history replay is over after this long without a frame (or at the first live frame). A
   * replay with no frame yet is given longer unless the conversation was empty last time: twice
   * the server's time to its first frame past this (learnt per user; at most 2 s, and at most
   * three quiet periods for a conversation not opened before). When history comes after a replay
   * this period ended (a link that stalled longer), it doubles for that conversation, up to 3 s,
   * and halves back with each later quiet end nothing contradicts.
   * @default 300
   */
  replayQuietMs?: number
  /**
   * Longest inbound frame, in characters (the reference servers send ASCII JSON: characters are
   * bytes). A longer frame is dropped unparsed and reported as `malformed_frame` (details: `length`,
   * `maxFrameLength`); the socket stays open.
   * @default 1048576 (1 MiB)
   */
  maxFrameLength?: number
  /**
   * A history replay still going after this many frames is cut off: reported as `replay_too_long`,
   * the socket is dropped and reopened with backoff (queued sends wait; nothing is sent into an
   * unfinished replay). Bounds what a server that never stops replaying can make the client hold.
   * @default 500000
   */
  maxReplayFrames?: number
  /**
   * A history replay still going this long after the socket opened is cut off, as with
   * `maxReplayFrames` (a server that keeps sending history frames never lets the quiet period end it).
   * Each cut-off in a row doubles both bounds, so a finite replay over a slow link still ends.
   * @default 300000 (5 min)
   */
  maxReplayMs?: number
  /**
   * An own message `pending` (written, no echo) for longer than this makes the socket suspect: it is
   * dropped and reopened, and the replay decides (`sent` if stored, resent if not). `0` disables.
   * @default 10000
   */
  echoTimeoutMs?: number
  /**
   * Ignored writes of one own message before it becomes `failed` (`max_attempts`, with `retry(id)` /
   * `discard(id)`) instead of being resent forever to a server that accepts frames but never stores
   * them. A write counts only when the socket stayed open for `echoTimeoutMs` without an echo and the
   * next replay proved the message not stored, or when the server closed the socket with 1011 while
   * it was the oldest send awaiting its echo (the server failed on it, e.g. its database refused
   * the text); a socket that closed otherwise first (a network drop, time offline) costs nothing. A half-open socket (handover, NAT timeout) that stays "open" without
   * delivering does count: three such in a row fail a message the server never saw, which stays
   * visible with retry. A confirmed or retried message starts from zero. With `echoTimeoutMs: 0`
   * only 1011 closes count. `Infinity` never gives up.
   * @default 3
   */
  maxSendAttempts?: number
  /** Longest message accepted by send(). @default 5000 */
  maxMessageLength?: number
  /** Allow sending empty/whitespace messages. @default false */
  allowEmpty?: boolean
  /** Trim messages before sending. @default true */
  trim?: boolean
  extensions?: ExtensionOptions
  /**
   * Keep each conversation's confirmed messages on the device and show them at once on the next open
   * (before the socket opens, and offline), until the replay that follows reconciles them. `true`:
   * IndexedDB in browsers (loaded only when enabled), memory elsewhere. Cleared on logout and when
   * another user signs in. @default false
   */
  historyCache?: boolean | HistoryCacheOptions
  /** Close sockets while the page is hidden, reopen when visible. @default false */
  pauseWhenHidden?: boolean
  /** Coordinate token refresh and outbox ownership across tabs (Web Locks, BroadcastChannel). @default true */
  crossTab?: boolean
  logger?: ChatLogger
}

/** Result of `Conversation.send()`. Invalid input that can be fixed by the user never enters the timeline. */
export type SendResult =
  | { readonly ok: true; readonly message: ChatMessage }
  | { readonly ok: false; readonly error: ChatError; readonly message?: ChatMessage }

export interface ConversationEvents {
  /** A new message from the peer arrived (live, not from a replay). */
  message: ChatMessage
  /** A typed, non-fatal problem (malformed frame dropped, handshake failure, ...). */
  error: ChatError
  status: ConnectionStatus
  /** The connection changed phase, with the reason (finer than `status`: a devtools timeline). */
  transition: ConnectionTransition
  /** A history replay ended. */
  replay: ReplaySummary
}

/** One conversation with one peer. Obtained from `client.conversation(peerId)`; release() when done. */
export interface Conversation {
  readonly peerId: UserId
  /** Current immutable snapshot (stable identity until something changes): useSyncExternalStore-ready. */
  getSnapshot(): ConversationSnapshot
  /** Called after every change (batched: at most once per burst of frames). Returns unsubscribe. */
  subscribe(listener: () => void): () => void
  on<K extends keyof ConversationEvents>(event: K, handler: (payload: ConversationEvents[K]) => void): () => void
  /** Validate and send (or queue). Never throws for bad input: returns `{ ok: false, error }`. */
  send(text: string): SendResult
  /** Put a `failed` (or `unknown`) own message back into the queue. */
  retry(messageId: string): void
  /** Remove an own message that is not `sent`. */
  discard(messageId: string): void
  /** Mark everything up to now read (persisted; sends a read receipt only with that extension). */
  markRead(): void
  /** Tell the peer the user is typing (throttled; inert unless the typing extension is on). */
  notifyTyping(): void
  /** Drop the socket and connect again at once (resets backoff). */
  reconnect(): void
  /** Decrement the reference count; the socket closes when it reaches zero. */
  release(): void
}

export interface ChatAuthEvents {
  change: AuthState
  /** Refresh was rejected or the server keeps rejecting the token: the user must log in again. */
  unauthorized: ChatError
  /**
   * A non-fatal problem. `storage_write_failed`: storage refused the session (quota, private mode);
   * it lasts until this tab closes, and other tabs and a reload find no session instead of a stale one.
   */
  error: ChatError
}

export interface ChatAuth {
  getState(): AuthState
  subscribe(listener: () => void): () => void
  on<K extends keyof ChatAuthEvents>(event: K, handler: (payload: ChatAuthEvents[K]) => void): () => void
  /** POST /api/auth/login/. Rejects with a ChatError (`invalid_credentials`, `validation`, `network`, `http`). */
  login(email: string, password: string): Promise<ChatUser>
  /** Forget tokens (storage included), close every conversation socket. */
  logout(): Promise<void>
  /** GET /api/auth/me/ with a fresh token. */
  me(): Promise<ChatUser>
  /** For apps with their own login: hand over tokens (and the user when known). */
  setTokens(tokens: TokenPair, user?: ChatUser): void
  /** A valid access token, refreshed first when it expires within the threshold. Single-flight. */
  getAccessToken(): Promise<string>
  /** Force a refresh now (single-flight within the client, coordinated across tabs). */
  refresh(): Promise<void>
}

export interface ChatClient {
  readonly auth: ChatAuth
  /** Acquire (ref-counted) the conversation with `peerId`; call `release()` when done. */
  conversation(peerId: number | string): Conversation
  /** The conversation if some consumer holds it, without acquiring. */
  peek(peerId: number | string): Conversation | undefined
  /** Close all sockets and timers; the client is unusable afterwards. */
  destroy(): void
}
