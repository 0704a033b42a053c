/**
 * Resolve `ChatClientOptions` into a complete, validated configuration with the defaults of
 * `DEFAULTS`, and build the default environment (timers, online/visibility signals).
 */
import type { HistoryCacheAdapter } from './persistence/history-cache'
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
import type { NotifyStrategy } from './conversation/notify'
import { DEFAULTS, type ChatDefaults } from './defaults'
import { resolveExtensions, type ResolvedExtensions } from './extensions'
import { createWebStorage } from './persistence/storage'
import { resolveUrls, type EndpointUrls, type LocationLike } from './transport/urls'

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
  readonly extensions: ResolvedExtensions
  readonly pauseWhenHidden: boolean
  readonly crossTab: boolean
  readonly notify: NotifyStrategy
  /** `null` when the history cache is off; `adapter` undefined: the default store. */
  readonly historyCache: { readonly maxMessages: number; readonly adapter?: HistoryCacheAdapter } | null
  readonly logger: ChatLogger | undefined
  readonly locks: LockManagerLike | null
  readonly createChannel: ((name: string) => BroadcastChannelLike) | null
  readonly random: () => number
  readonly heartbeatMs: number
  readonly typingThrottleMs: number
  readonly typingTimeoutMs: number
}

/** Resolved options that are not in `DEFAULTS`: URLs and the host environment. */
type EnvironmentKey = keyof EndpointUrls | 'extensions' | 'WebSocket' | 'fetch' | 'storage' | 'tokenStorage' | 'scheduler' | 'signals' | 'logger' | 'locks' | 'createChannel' | 'random'

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

/** Options where `0` means "off" or "none" rather than "use the default". */
const ZERO_ALLOWED: readonly string[] = ['refreshThresholdMs', 'clockSkewMs', 'echoTimeoutMs']

/**
 * `given` over `fallback` key by key, down into groups: a number must be positive (or zero where
 * allowed), anything else of the default's type and not empty; the rest falls back.
 */
function withDefaults(fallback: object, given: object | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, d] of Object.entries(fallback)) {
    const v: unknown = (given as Record<string, unknown> | undefined)?.[key]
    out[key] = typeof d === 'object'
      ? withDefaults(d as object, v as object | undefined)
      : typeof v !== typeof d || v === '' || (typeof v === 'number' && !(v > 0 || (v === 0 && ZERO_ALLOWED.includes(key))))
        ? d
        : v
  }
  return out
}

function defaultFetch(): FetchLike {
  const f = (globalThis as { fetch?: FetchLike }).fetch
  if (typeof f === 'function') return f.bind(globalThis) as FetchLike
  return () => Promise.reject(new TypeError('fetch is not available'))
}

/**
 * Apply every default from `DEFAULTS`. Nonsense values fall back to the default; only an extension
 * given as anything but itself throws (see `resolveExtensions`).
 */
export function resolveOptions(options: ChatClientOptions & ChatRuntimeInjections & { notify?: NotifyStrategy } = {}): ResolvedOptions {
  const resolved = withDefaults(DEFAULTS, options) as Omit<ResolvedOptions, EnvironmentKey>
  const crossTab = resolved.crossTab
  const ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  const storage = options.storage ?? createWebStorage(DEFAULTS.storage)
  const cache = options.historyCache
  const cacheOn = cache === true || (typeof cache === 'object' && cache !== null && cache.enabled !== false)
  return {
    ...resolved,
    historyCache: cacheOn ? { maxMessages: (resolved.historyCache as unknown as ChatDefaults['historyCache']).maxMessages, ...(typeof cache === 'object' && cache.adapter ? { adapter: cache.adapter } : {}) } : null,
    ...resolveUrls(options, options.location),
    extensions: resolveExtensions(options.extensions),
    WebSocket: typeof ctor === 'function' ? ctor : undefined,
    fetch: options.fetch ?? defaultFetch(),
    storage,
    tokenStorage: options.tokenStorage ?? storage,
    scheduler: options.scheduler ?? createDefaultScheduler(),
    signals: options.signals ?? createDefaultSignals(),
    logger: options.logger,
    locks: options.locks !== undefined ? options.locks : crossTab ? defaultLocks() : null,
    createChannel: options.createChannel !== undefined ? options.createChannel : crossTab ? defaultChannelFactory() : null,
    random: options.random ?? Math.random,
  }
}
