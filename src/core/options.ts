/**
 * Resolve `ChatClientOptions` into a complete, validated configuration with the documented
 * defaults, and build the default environment (timers, online/visibility signals).
 */
import type {
  ChatClientOptions,
  ChatLogger,
  EnvironmentSignals,
  FetchLike,
  Scheduler,
  StorageAdapter,
  WebSocketConstructor,
} from './types'
import { defaultChannelFactory, defaultLocks, type BroadcastChannelLike, type LockManagerLike } from './cross-tab'
import { DEFAULT_MAX_FRAME_LENGTH } from './transport/protocol'
import { createWebStorage } from './persistence/storage'
import { resolveUrls, type LocationLike } from './transport/urls'

export type { LockManagerLike } from './cross-tab'

/** Environment injections beyond `ChatClientOptions` (tests, embedders). */
export interface ChatRuntimeInjections {
  /** Web Locks for cross-tab outbox ownership. @default globalThis.navigator.locks when `crossTab` */
  locks?: LockManagerLike | null
  /** BroadcastChannel factory for cross-tab token sharing. @default globalThis.BroadcastChannel when `crossTab` */
  createChannel?: ((name: string) => BroadcastChannelLike) | null
  /** Page location used when no `baseUrl` is given. @default globalThis.location */
  location?: LocationLike
  /** Random source for backoff jitter and ids, in [0, 1). @default Math.random */
  random?: () => number
  /** Outbox owner heartbeat period (runs with or without Web Locks; a stale heartbeat lets another tab adopt the outbox). @default 5000 */
  heartbeatMs?: number
  /** Typing indicator: minimum gap between two typing frames we send. @default 3000 */
  typingThrottleMs?: number
  /** Typing indicator: how long `peerTyping` stays true after the peer's last typing frame. @default 5000 */
  typingTimeoutMs?: number
}

/** Every option with its default applied. */
export interface ResolvedOptions {
  readonly apiUrl: string
  readonly wsUrl: string
  readonly WebSocket: WebSocketConstructor | undefined
  readonly fetch: FetchLike
  readonly storage: StorageAdapter
  readonly tokenStorage: StorageAdapter
  readonly storageKey: string
  readonly scheduler: Scheduler
  readonly signals: EnvironmentSignals
  readonly userIdClaim: string
  readonly refreshThresholdMs: number
  readonly clockSkewMs: number
  readonly reconnect: { readonly baseDelayMs: number; readonly maxDelayMs: number; readonly maxAttempts: number }
  readonly replayQuietMs: number
  readonly maxFrameLength: number
  readonly maxReplayFrames: number
  readonly maxReplayMs: number
  readonly echoTimeoutMs: number
  readonly maxSendAttempts: number
  readonly maxMessageLength: number
  readonly allowEmpty: boolean
  readonly trim: boolean
  readonly extensions: { readonly typing: boolean; readonly readReceipts: boolean }
  readonly pauseWhenHidden: boolean
  readonly crossTab: boolean
  readonly logger: ChatLogger | undefined
  readonly locks: LockManagerLike | null
  readonly createChannel: ((name: string) => BroadcastChannelLike) | null
  readonly random: () => number
  readonly heartbeatMs: number
  readonly typingThrottleMs: number
  readonly typingTimeoutMs: number
}

/** `setTimeout` / `Date.now` of the host. */
export function createDefaultScheduler(): Scheduler {
  return {
    now: () => Date.now(),
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: handle => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
  }
}

interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void
  removeEventListener(type: string, listener: () => void): void
}

/**
 * Browser online/offline and visibility from `window` and `document`; outside a browser (Node, SSR)
 * always online and visible, never changing.
 */
export function createDefaultSignals(): EnvironmentSignals {
  const g = globalThis as {
    window?: EventTargetLike
    document?: EventTargetLike & { visibilityState?: string }
    navigator?: { onLine?: boolean }
  }
  const win = g.window
  const doc = g.document
  return {
    isOnline: () => g.navigator?.onLine !== false,
    isVisible: () => doc?.visibilityState !== 'hidden',
    subscribe(listener) {
      if (!win || typeof win.addEventListener !== 'function') return () => {}
      win.addEventListener('online', listener)
      win.addEventListener('offline', listener)
      doc?.addEventListener?.('visibilitychange', listener)
      return () => {
        win.removeEventListener('online', listener)
        win.removeEventListener('offline', listener)
        doc?.removeEventListener?.('visibilitychange', listener)
      }
    },
  }
}

function positive(value: number | undefined, fallback: number, allowZero = false): number {
  if (typeof value !== 'number' || Number.isNaN(value)) return fallback
  if (value < 0 || (!allowZero && value === 0)) return fallback
  return value
}

function defaultFetch(): FetchLike {
  const f = (globalThis as { fetch?: FetchLike }).fetch
  if (typeof f === 'function') return f.bind(globalThis) as FetchLike
  return () => Promise.reject(new TypeError('fetch is not available'))
}

/** Apply every documented default. Never throws: nonsense numbers fall back to the default. */
export function resolveOptions(options: ChatClientOptions & ChatRuntimeInjections = {}): ResolvedOptions {
  const urls = resolveUrls(options, options.location)
  const crossTab = options.crossTab ?? true
  const ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  const storage = options.storage ?? createWebStorage('local')
  return {
    ...urls,
    WebSocket: typeof ctor === 'function' ? ctor : undefined,
    fetch: options.fetch ?? defaultFetch(),
    storage,
    tokenStorage: options.tokenStorage ?? storage,
    storageKey: options.storageKey || 'vrc',
    scheduler: options.scheduler ?? createDefaultScheduler(),
    signals: options.signals ?? createDefaultSignals(),
    userIdClaim: options.userIdClaim || 'user_id',
    refreshThresholdMs: positive(options.refreshThresholdMs, 300_000, true),
    clockSkewMs: positive(options.clockSkewMs, 30_000, true),
    reconnect: {
      baseDelayMs: positive(options.reconnect?.baseDelayMs, 500),
      maxDelayMs: positive(options.reconnect?.maxDelayMs, 30_000),
      maxAttempts: positive(options.reconnect?.maxAttempts, Number.POSITIVE_INFINITY),
    },
    replayQuietMs: positive(options.replayQuietMs, 300),
    maxFrameLength: positive(options.maxFrameLength, DEFAULT_MAX_FRAME_LENGTH),
    maxReplayFrames: positive(options.maxReplayFrames, 500_000),
    maxReplayMs: positive(options.maxReplayMs, 300_000),
    echoTimeoutMs: positive(options.echoTimeoutMs, 10_000, true),
    maxSendAttempts: positive(options.maxSendAttempts, 3),
    maxMessageLength: positive(options.maxMessageLength, 5000),
    allowEmpty: options.allowEmpty ?? false,
    trim: options.trim ?? true,
    extensions: {
      typing: options.extensions?.typing ?? false,
      readReceipts: options.extensions?.readReceipts ?? false,
    },
    pauseWhenHidden: options.pauseWhenHidden ?? false,
    crossTab,
    logger: options.logger,
    locks: options.locks !== undefined ? options.locks : crossTab ? defaultLocks() : null,
    createChannel: options.createChannel !== undefined ? options.createChannel : crossTab ? defaultChannelFactory() : null,
    random: options.random ?? Math.random,
    heartbeatMs: positive(options.heartbeatMs, 5000),
    typingThrottleMs: positive(options.typingThrottleMs, 3000),
    typingTimeoutMs: positive(options.typingTimeoutMs, 5000),
  }
}
