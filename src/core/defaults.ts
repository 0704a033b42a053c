/**
 * The one place every option default is written. `resolveOptions`, the Vue plugin, the Nuxt
 * module's runtime config and the docs' option tables all read them from here.
 */
import type { NotifyStrategy } from './conversation/notify'
import type { WebStorageKind } from './persistence/storage'
// The standalone helpers (vue-realtime-chat/protocol) keep their own defaults; the client uses the same.
import { DEFAULT_BASE_DELAY_MS, DEFAULT_MAX_DELAY_MS } from './transport/backoff'
import { DEFAULT_MAX_FRAME_LENGTH } from './transport/protocol'

/** The shape of {@link DEFAULTS}: one member per option that has a default value of its own. */
export interface ChatDefaults {
  /** Where unsent messages, read markers and receipts persist: `createWebStorage('local')` in the core, `'local'` in the Vue plugin and the Nuxt module. */
  readonly storage: WebStorageKind
  /** Key prefix in storage; also names the cross-tab channel and locks. */
  readonly storageKey: string
  /** JWT claim holding the user id. */
  readonly userIdClaim: string
  /** Refresh the access token when it expires within this many ms (5 min). */
  readonly refreshThresholdMs: number
  /** Tolerated difference between client and server clocks, in ms. */
  readonly clockSkewMs: number
  /** Reconnect backoff (full jitter) and when to give up. */
  readonly reconnect: { readonly baseDelayMs: number; readonly maxDelayMs: number; readonly maxAttempts: number }
  /** The history replay is over after this long without a frame, in ms. */
  readonly replayQuietMs: number
  /** Longest inbound frame, in characters (1 MiB). */
  readonly maxFrameLength: number
  /** A history replay past this many frames is cut off. */
  readonly maxReplayFrames: number
  /** A history replay still going this long after the socket opened is cut off, in ms (5 min). */
  readonly maxReplayMs: number
  /** A send with no echo for this long makes the socket suspect, in ms; `0` disables. */
  readonly echoTimeoutMs: number
  /** Ignored writes of one message before it turns `failed`. */
  readonly maxSendAttempts: number
  /** Longest message `send()` accepts, in characters. */
  readonly maxMessageLength: number
  /** Accept empty or whitespace-only messages. */
  readonly allowEmpty: boolean
  /** Trim messages before sending. */
  readonly trim: boolean
  /**
   * Opt-in extension frames (reference servers close the socket on frames they do not know): off.
   * One is on when its exported extension is passed instead (`typingExtension`, `readReceiptsExtension`).
   */
  readonly extensions: { readonly typing: false; readonly readReceipts: false }
  /** Close sockets while the page is hidden. */
  readonly pauseWhenHidden: boolean
  /** Coordinate token refresh and outbox ownership across tabs. */
  readonly crossTab: boolean
  /** How subscriber calls are batched. */
  readonly notify: NotifyStrategy
  /** Outbox owner heartbeat period, in ms. */
  readonly heartbeatMs: number
  /** Shortest gap between two typing frames we send, in ms. */
  readonly typingThrottleMs: number
  /** How long the peer shows as typing after its last typing frame, in ms. */
  readonly typingTimeoutMs: number
  /** The history cache: off unless `historyCache` is set; the newest messages kept per conversation. */
  readonly historyCache: { readonly enabled: boolean; readonly maxMessages: number }
}

/**
 * The default of every option that has a value of its own. Options whose default comes from the
 * host (`fetch`, `WebSocket`, timers, online/visibility signals, Web Locks, BroadcastChannel,
 * `Math.random`) or from another option (`tokenStorage` follows `storage`, `apiUrl` and `wsUrl`
 * follow `baseUrl`) are not here. Frozen, nested groups included.
 *
 * @example
 * ```ts
 * // a textarea that never lets the user type more than send() accepts
 * const maxlength = options.maxMessageLength ?? DEFAULTS.maxMessageLength
 * ```
 */
export const DEFAULTS: ChatDefaults = Object.freeze({
  storage: 'local',
  storageKey: 'vrc',
  userIdClaim: 'user_id',
  refreshThresholdMs: 300_000,
  clockSkewMs: 30_000,
  reconnect: Object.freeze({ baseDelayMs: DEFAULT_BASE_DELAY_MS, maxDelayMs: DEFAULT_MAX_DELAY_MS, maxAttempts: Infinity }),
  replayQuietMs: 300,
  maxFrameLength: DEFAULT_MAX_FRAME_LENGTH,
  maxReplayFrames: 500_000,
  maxReplayMs: 300_000,
  echoTimeoutMs: 10_000,
  maxSendAttempts: 3,
  maxMessageLength: 5000,
  allowEmpty: false,
  trim: true,
  extensions: Object.freeze({ typing: false, readReceipts: false }),
  pauseWhenHidden: false,
  crossTab: true,
  notify: 'timeout',
  heartbeatMs: 5000,
  typingThrottleMs: 3000,
  typingTimeoutMs: 5000,
  historyCache: Object.freeze({ enabled: false, maxMessages: 1000 }),
})
