/**
 * Authentication: login, token storage, refresh (single-flight in the tab, coordinated across
 * tabs), expiry, and diagnosis of WebSocket handshake failures (auth problem or outage?).
 *
 * Tabs share a session exactly when they share storage: the BroadcastChannel only says "re-read
 * storage" (it never carries a token), so tabs with separate memory storage stay independent.
 */
import { ChatError, isChatError } from '../errors'
import { createEmitter } from '../emitter'
import { readItem, removeItem, tryReadItem, writeItem } from '../persistence/safe-storage'
import { asRecord, errorFromResponse, requestJson } from './http'
import type { HttpOptions, JsonResponse } from './http'
import { clockOffset, isExpired, isRefreshDue, normaliseId, readClaims, refreshDueAt, tokenTiming, tryReadClaims, userIdFrom } from './jwt'
import type { TokenTiming } from './jwt'
import { defaultChannelFactory, defaultLocks, openChannel } from '../cross-tab'
import type { BroadcastChannelLike, LockManagerLike } from '../cross-tab'
import type {
  AuthState,
  AuthStatus,
  ChatAuth,
  ChatAuthEvents,
  ChatLogger,
  ChatUser,
  EnvironmentSignals,
  FetchLike,
  Scheduler,
  StorageAdapter,
  TokenPair,
  UserId,
} from '../types'

export type { BroadcastChannelLike, LockManagerLike } from '../cross-tab'

/** Everything the auth controller needs from its environment (the client fills it from ChatClientOptions). */
export interface AuthDeps {
  /** REST base, e.g. `'http://127.0.0.1:8000'` (no trailing slash). */
  apiUrl: string
  fetch: FetchLike
  storage: StorageAdapter
  /** Key prefix: tokens live under `${storageKey}:auth`. */
  storageKey: string
  scheduler: Scheduler
  /** JWT claim with the user id. @default 'user_id' (set by the client) */
  userIdClaim: string
  /** Refresh when the access token expires within this many ms (capped at half the token's lifetime). */
  refreshThresholdMs: number
  /** Tolerated clock difference (capped at a quarter of the token's lifetime). */
  clockSkewMs: number
  /** Coordinate refreshes and logouts with other tabs. */
  crossTab: boolean
  logger?: ChatLogger
  /** @default globalThis.navigator?.locks (`null`: no locks, use the documented fallback) */
  locks?: LockManagerLike | null
  /** @default name => new globalThis.BroadcastChannel(name) (`null`: no channel) */
  createChannel?: ((name: string) => BroadcastChannelLike) | null
  /**
   * Without Web Locks, how long a refresh that got 401 waits for another tab's rotated token to
   * show up in storage before declaring the session `unauthorized`.
   * @default 1000
   */
  rotationGraceMs?: number
  /** Abort a REST call after this long. @default 15000 */
  requestTimeoutMs?: number
  /** The user signed out: by `logout()` here, or in another tab that shares the session. */
  onLogout?: () => void
  /**
   * Passive (SSR, no WebSocket): never refresh, schedule nothing, open no channel and request no
   * lock. A server render must not spend the browser's rotating refresh token.
   * @default false
   */
  passive?: boolean
  /** Online/visibility changes: one coming back cuts a refresh backoff after a network failure short. */
  signals?: EnvironmentSignals
}

/** The internal auth API: the public {@link ChatAuth} plus what the connection layer needs. */
export interface AuthController extends ChatAuth {
  /** Current user id from the access token (string) or null. */
  readonly userId: UserId | null
  /**
   * For a socket handshake: a valid access token, refreshed first when expired or within the
   * threshold. Rejects with ChatError `not_authenticated` (no tokens) or `unauthorized` (terminal).
   * Single-flight.
   */
  getAccessToken(): Promise<string>
  /**
   * A handshake with `tokenUsed` failed before the socket opened (or closed 4401). Classifies, never guesses:
   * token expired/near expiry locally → refresh → `'refreshed'`; else probe `GET /api/auth/me/`:
   * 401 → refresh once → `'refreshed'` (refresh answering 401 → `'unauthorized'`); 200 or no
   * answer → `'outage'` (an outage never logs the user out). A token that was already diagnosed
   * (or issued by such a diagnosis) and still gets 401 from `me` → `'unauthorized'`.
   */
  diagnoseHandshakeFailure(tokenUsed: string): Promise<'outage' | 'refreshed' | 'unauthorized'>
  /** Stop timers, close the channel, drop listeners. Storage is kept. */
  destroy(): void
  /** The public part alone (what `client.auth` exposes: no diagnosis, no `destroy`). */
  readonly api: ChatAuth
}

interface Session {
  readonly access: string
  readonly refresh: string | undefined
  readonly user: ChatUser | null
  readonly userId: UserId | null
  readonly timing: TokenTiming
  /** Local epoch ms at which the access token arrived (measures the lifetime of a token without `iat`). */
  readonly receivedAt: number | undefined
}

interface StoredAuth {
  access: string
  refresh?: string
  user?: ChatUser | null
  /** Local minus server clock, measured when the token was issued. */
  offsetMs?: number
  receivedAt?: number
}

/**
 * Token-free records that take the session's place in storage: `unauthorized` (the server rejected
 * it), `unpersisted` (tab `by` holds a newer session that storage refused; what was stored is stale).
 */
type EndedRecord = { ended: 'unauthorized' } | { ended: 'unpersisted'; by: string }

type CrossTabMessage = { type: 'tokens' | 'logout' | 'unauthorized'; from: string }

const MAX_RETRY_DELAY_MS = 60_000
const MAX_TIMER_MS = 2_147_483_647
const DIAGNOSED_LIMIT = 16
/** Scheduled refreshes never follow each other closer than this, whatever a token claims. */
const MIN_REFRESH_SPACING_MS = 1000

function notAuthenticated(): ChatError {
  return new ChatError('not_authenticated', 'Not signed in')
}

function sessionExpired(status?: number): ChatError {
  return new ChatError('unauthorized', 'Session expired: sign in again', { status })
}

function destroyedError(): ChatError {
  return new ChatError('closed', 'Client destroyed')
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/** Normalise the server's user object (`id` becomes a string); `null` when it is not a user. */
export function normaliseUser(value: unknown, fallbackId: UserId | null = null): ChatUser | null {
  const record = asRecord(value)
  if (!record) return null
  const id = normaliseId(record.id) ?? fallbackId
  if (id === null) return null
  return Object.freeze({ ...record, id }) as ChatUser
}

/**
 * Create the auth controller. One per client; no module-level state (safe under SSR).
 *
 * @example
 * const auth = createAuth({ apiUrl, fetch, storage: createMemoryStorage(), storageKey: 'vrc', scheduler,
 *   userIdClaim: 'user_id', refreshThresholdMs: 300_000, clockSkewMs: 30_000, crossTab: true })
 * await auth.login('student@example.com', 'secret')
 * const token = await auth.getAccessToken()
 */
export function createAuth(deps: AuthDeps): AuthController {
  const { apiUrl, storage, scheduler, userIdClaim, refreshThresholdMs, clockSkewMs } = deps
  const authKey = `${deps.storageKey}:auth`
  const lockName = `${authKey}:refresh`
  const http: HttpOptions = { fetch: deps.fetch, scheduler, timeoutMs: deps.requestTimeoutMs ?? 15_000 }
  const instanceId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
  const events = createEmitter<ChatAuthEvents>()
  const passive = deps.passive === true
  const crossTab = deps.crossTab && !passive
  const locks = crossTab ? (deps.locks === undefined ? defaultLocks() : deps.locks) : null
  const channel = crossTab
    ? openChannel(deps.createChannel === undefined ? defaultChannelFactory() : deps.createChannel, authKey)
    : null
  const graceMs = crossTab && !locks ? (deps.rotationGraceMs ?? 1000) : 0
  const channelWaiters = new Set<() => void>()
  const diagnosed = new Set<string>()

  let session: Session | null = null
  let status: AuthStatus = 'anonymous'
  let state: AuthState = Object.freeze({ status, user: null, userId: null, expiresAt: null })
  let generation = 0
  let refreshInFlight: Promise<void> | null = null
  let timer: unknown
  /** Backoff for automatic refreshes: after a transient failure, or a token that arrived already due. */
  let retryAttempt = 0
  let holdUntil = Number.NEGATIVE_INFINITY
  /** Why automatic refreshes are held: the transient failure, or `null` for a token due on arrival. */
  let holdError: ChatError | null = null
  /** When the failure behind the hold happened. */
  let heldAt = Number.NEGATIVE_INFINITY
  let lastRefreshAt = Number.NEGATIVE_INFINITY
  /** The session lives in this tab's memory only (storage refused it). */
  let unpersisted = false
  /** Refresh tokens this tab rotated away: the server revoked them, so a stored copy is stale. */
  const spent = new Set<string>()
  /** The stored record (raw) that storage kept when it refused this tab's session; `null`: a marker or nothing. */
  let leftStored: string | null = null
  /** Set by login/setTokens until their storage write, made under the refresh lock, has happened. */
  let pendingWrite: Session | null = null
  let knownOffset = 0
  let destroyed = false

  function log(level: 'debug' | 'warn', message: string, details?: Record<string, unknown>): void {
    try {
      deps.logger?.[level]?.(`[auth] ${message}`, details)
    }
    catch {
      // A broken logger must not break auth.
    }
  }

  const now = (): number => scheduler.now()

  /**
   * `offset`: `'fresh'` for a token the server just issued (measures the clock offset), else the known offset.
   * A profile of another user than the token's is dropped: it must never be shown or stored with it.
   */
  function makeSession(tokens: TokenPair, user: ChatUser | null, offset: number | 'fresh', receivedAt = offset === 'fresh' ? now() : undefined): Session {
    const claims = readClaims(tokens.access)
    const tokenUserId = userIdFrom(claims, userIdClaim)
    const profile = user && tokenUserId !== null && user.id !== tokenUserId ? null : user
    const offsetMs = offset === 'fresh' ? clockOffset(claims, now()) : offset
    if (offset === 'fresh') knownOffset = offsetMs
    return {
      access: tokens.access,
      refresh: typeof tokens.refresh === 'string' && tokens.refresh.length > 0 ? tokens.refresh : undefined,
      user: profile ?? null,
      userId: tokenUserId ?? profile?.id ?? null,
      timing: tokenTiming(claims, refreshThresholdMs, clockSkewMs, offsetMs, receivedAt),
      receivedAt,
    }
  }

  // ---- storage -------------------------------------------------------------------------------

  /** The stored record: `undefined` when there is none (or storage throws), `null` when unreadable. */
  function readRecord(): Record<string, unknown> | null | undefined {
    const raw = tryReadItem(storage, authKey)
    // A storage that throws on read tells nothing new: it is taken to hold what this tab holds,
    // so a blocked storage never signs the user out (and drops the unsent messages with the session).
    if (raw === undefined) return session ? { ...storedOf(session) } : undefined
    if (raw === null) return undefined
    try {
      return asRecord(JSON.parse(raw))
    }
    catch {
      return null
    }
  }

  function readStored(): StoredAuth | null {
    const record = readRecord()
    if (record === undefined || typeof record?.ended === 'string') return null
    if (!record || typeof record.access !== 'string' || !tryReadClaims(record.access)) {
      safeRemove()
      log('warn', 'discarded unreadable stored auth')
      return null
    }
    const { access, refresh, offsetMs, receivedAt } = record
    if (typeof refresh === 'string' && spent.has(refresh)) {
      // A pair this tab rotated away, left behind by a write storage refused: revoked, never adopted.
      if (!session) return null
      if (write(storedOf(session))) unpersisted = false
      return storedOf(session)
    }
    return {
      access,
      refresh: typeof refresh === 'string' ? refresh : undefined,
      user: normaliseUser(record.user),
      offsetMs: finite(offsetMs),
      receivedAt: finite(receivedAt),
    }
  }

  /**
   * Store `value` as JSON under the auth key; `false` when storage refused it (quota, private mode).
   * With `evict`, a refused write removes the previous value and is retried once, since that value
   * may be what filled the quota: only for a value that is stale or this tab's own.
   */
  function write(value: StoredAuth | EndedRecord, evict = true): boolean {
    const text = JSON.stringify(value)
    if (writeItem(storage, authKey, text)) return true
    if (!evict) return false
    removeItem(storage, authKey)
    return writeItem(storage, authKey, text)
  }

  /**
   * `rotated`: the refresh token this session replaces (revoked by the rotation). Only then, or when
   * this tab's own marker (or nothing) is stored, may a refused write displace the stored record:
   * after a login, `setTokens` or a profile update it is a session other tabs may still be using.
   */
  function storedOf(next: Session): StoredAuth {
    return { access: next.access, refresh: next.refresh, user: next.user, offsetMs: next.timing.offsetMs, receivedAt: next.receivedAt }
  }

  function writeStored(next: Session, rotated?: string): void {
    const value = storedOf(next)
    const record = readRecord()
    const stale = ownsMarker(record) || (rotated !== undefined && record?.refresh === rotated)
    if (write(value, stale)) {
      unpersisted = false
      leftStored = null
      return
    }
    unpersisted = true
    leftStored = null
    if (stale) {
      // Other tabs and a reload find a token-free marker (or nothing), never the revoked pair.
      if (!write({ ended: 'unpersisted', by: instanceId })) safeRemove()
    }
    else {
      leftStored = readItem(storage, authKey)
    }
    const message = 'Session not saved (storage full?): it lasts until this tab closes'
    log('warn', message)
    events.emit('error', new ChatError('storage_write_failed', message))
  }

  function safeRemove(): void {
    // Storage that cannot remove cannot hold our tokens either.
    removeItem(storage, authKey)
  }

  // ---- state ---------------------------------------------------------------------------------

  function publish(): void {
    const next = {
      status,
      user: session?.user ?? null,
      userId: session?.userId ?? null,
      expiresAt: session?.timing.expiresAt ?? null,
    }
    if (next.status === state.status && next.user === state.user && next.userId === state.userId && next.expiresAt === state.expiresAt)
      return
    state = Object.freeze(next)
    events.emit('change', state)
  }

  function broadcast(type: CrossTabMessage['type']): void {
    if (!channel) return
    try {
      channel.postMessage({ type, from: instanceId } satisfies CrossTabMessage)
    }
    catch {
      // A closed or broken channel only costs cross-tab promptness; storage stays the truth.
    }
  }

  /** Take `next` as the session (from a refresh of `rotated`) and tell other tabs. */
  function commit(next: Session, rotated: string): void {
    if (next.refresh !== rotated) spent.add(rotated)
    session = next
    status = 'authenticated'
    writeStored(next, rotated)
    schedule()
    publish()
    broadcast('tokens')
  }

  /**
   * Take a new session from login or setTokens: memory at once, storage under the refresh lock, so
   * a refresh in flight in another tab lands first and cannot overwrite it afterwards.
   */
  function replace(next: Session): void {
    generation++
    diagnosed.clear()
    releaseHold()
    session = next
    status = 'authenticated'
    pendingWrite = next
    const store = (): void => {
      if (pendingWrite !== next) return
      pendingWrite = null
      if (session !== next) return
      writeStored(next)
      broadcast('tokens')
    }
    if (locks) {
      // A lock manager that fails still gets the session stored.
      locks.request(lockName, store).catch(store)
    }
    else {
      store()
    }
    schedule()
    publish()
  }

  function clearLocal(nextStatus: 'anonymous' | 'unauthorized'): void {
    generation++
    session = null
    status = nextStatus
    releaseHold()
    unpersisted = false
    leftStored = null
    pendingWrite = null
    diagnosed.clear()
    cancelTimer()
    publish()
  }

  /**
   * Terminal: the server rejected the session. Storage is cleared only if it still holds what
   * failed (another tab may have stored a newer session); a token-free tombstone takes its place
   * so tabs that read storage before the broadcast arrives learn why the session is gone.
   */
  function declareUnauthorized(error: ChatError, failedRefresh: string | undefined, failedAccess: string | undefined): void {
    if (destroyed || status === 'unauthorized') return
    const stored = readStored()
    const failedHere = stored ? stored.refresh === failedRefresh || stored.access === failedAccess : ownsMarker(readRecord())
    if (failedHere && !write({ ended: 'unauthorized' }))
      safeRemove()
    log('warn', 'session rejected', { status: error.status })
    clearLocal('unauthorized')
    broadcast('unauthorized')
    events.emit('unauthorized', error)
  }

  /** `record` is the marker this tab left when storage refused its session (or nothing is stored). */
  function ownsMarker(record: Record<string, unknown> | null | undefined): boolean {
    return unpersisted && leftStored === null && (record === undefined || (record?.ended === 'unpersisted' && record.by === instanceId))
  }

  /** The record left in storage held this tab's own refresh token (only the profile was refused): a marker replacing it means another tab rotated it. */
  function keptOwnPair(): boolean {
    try {
      return leftStored !== null && asRecord(JSON.parse(leftStored))?.refresh === session?.refresh
    }
    catch {
      return false
    }
  }

  /** Storage still holds what it held when it refused this tab's session (another tab's, left alone). */
  function keptForeign(): boolean {
    return unpersisted && leftStored !== null && readItem(storage, authKey) === leftStored
  }

  /**
   * Make memory agree with storage: another tab (or a reload's leftovers) may have rotated,
   * replaced or cleared the tokens. `reason` is the other tab's message (none: a local check).
   */
  function syncFromStorage(reason?: CrossTabMessage['type']): void {
    // Our own login/setTokens is about to overwrite what is stored.
    if (pendingWrite && pendingWrite === session) return
    if (keptForeign()) return
    const stored = readStored()
    if (!stored) {
      if (!session) return
      const record = readRecord()
      // Storage refused our session: it lives here only, unless another tab has moved on since.
      if (ownsMarker(record) && (record !== undefined || reason === undefined)) return
      if (unpersisted && record?.ended === 'unpersisted' && !keptOwnPair()) {
        // Another tab's session is memory-only too: the record it replaced was stale, ours is not.
        leftStored = readItem(storage, authKey)
        return
      }
      if (reason === 'unauthorized' || record?.ended === 'unauthorized') {
        clearLocal('unauthorized')
        events.emit('unauthorized', sessionExpired(401))
      }
      else {
        clearLocal('anonymous')
      }
      return
    }
    if (session && stored.access === session.access && stored.refresh === session.refresh) {
      const user = stored.user
      if (user && user.id === session.userId && user !== session.user && JSON.stringify(user) !== JSON.stringify(session.user)) {
        session = { ...session, user }
        publish()
      }
      return
    }
    let next: Session
    try {
      next = makeSession({ access: stored.access, refresh: stored.refresh }, stored.user ?? null, stored.offsetMs ?? knownOffset, stored.receivedAt)
    }
    catch {
      return
    }
    if (!session || session.userId !== next.userId) {
      // Another account: nothing in flight for the previous one may land on this one.
      generation++
      diagnosed.clear()
      releaseHold()
    }
    log('debug', 'adopted a stored session')
    session = next
    unpersisted = false
    leftStored = null
    if (status !== 'refreshing') status = 'authenticated'
    schedule()
    publish()
  }

  // ---- scheduling ----------------------------------------------------------------------------

  function cancelTimer(): void {
    if (timer !== undefined) scheduler.clearTimeout(timer)
    timer = undefined
  }

  /** Jittered exponential delay: uniform in [ceiling/2, ceiling), the ceiling doubling from 1 s up to a minute. */
  function retryDelay(attempt: number): number {
    const ceiling = Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** Math.min(attempt - 1, 16))
    return ceiling / 2 + Math.random() * ceiling / 2
  }

  /** No automatic refresh for the next backoff delay; `error` is the transient failure, if that is why. */
  function hold(error: ChatError | null): void {
    retryAttempt++
    heldAt = now()
    holdUntil = heldAt + retryDelay(retryAttempt)
    holdError = error
  }

  /**
   * The hold is for a server that never answered: the network may be back, and a try costs that
   * server nothing. At most one per spacing (single-flight for the tab); a server that answered
   * (5xx, a cut-off response) keeps the whole backoff.
   */
  function mayRetryEarly(): boolean {
    return holdError?.code === 'network' && holdError.status === undefined && now() - heldAt >= MIN_REFRESH_SPACING_MS
  }

  function releaseHold(): void {
    retryAttempt = 0
    holdUntil = Number.NEGATIVE_INFINITY
    holdError = null
  }

  const holding = (): boolean => now() < holdUntil

  /** A token already due when the server hands it out (clocks apart, tiny lifetime) must not be refreshed at once again. */
  function noteArrival(next: Session): void {
    if (isRefreshDue(next.timing, now())) hold(null)
    else releaseHold()
  }

  function isTransient(error: unknown): error is ChatError {
    return isChatError(error) && (error.code === 'network' || error.code === 'http')
  }

  function schedule(): void {
    cancelTimer()
    if (destroyed || passive || !session || session.refresh === undefined) return
    const due = refreshDueAt(session.timing)
    if (due === null) return
    const delay = Math.max(0, due - now(), lastRefreshAt + MIN_REFRESH_SPACING_MS - now(), holdUntil - now())
    timer = scheduler.setTimeout(onTimer, Math.min(delay, MAX_TIMER_MS))
  }

  function onTimer(): void {
    timer = undefined
    if (destroyed || !session) return
    if (holding() || !isRefreshDue(session.timing, now())) {
      schedule()
      return
    }
    // Failures are classified (and retries scheduled) in runRefresh.
    refresh().catch(() => {})
  }

  // ---- refresh -------------------------------------------------------------------------------

  async function postRefresh(gen: number, refreshToken: string): Promise<void> {
    const response = await requestJson(http, {
      method: 'POST',
      url: `${apiUrl}/api/auth/token/refresh/`,
      body: { refresh: refreshToken },
      label: 'token refresh',
    })
    if (gen !== generation || destroyed) return
    // Only the refresh token itself being refused is terminal; a gateway error or an outage is not.
    if (response.status === 401 || response.status === 400) throw sessionExpired(response.status)
    const body = asRecord(response.body)
    let next: Session | null = null
    if (response.ok) {
      try {
        const refresh = typeof body?.refresh === 'string' ? body.refresh : refreshToken
        next = makeSession({ access: body?.access as string, refresh }, session?.user ?? null, 'fresh')
      }
      catch {
        // No readable access token: reported below.
      }
    }
    if (!next) throw new ChatError('http', `Token refresh failed (HTTP ${response.status})`, { status: response.status })
    lastRefreshAt = now()
    if (!storageStillHolds(refreshToken)) {
      // Another tab signed in (or out) meanwhile: its session wins over this older one's refresh.
      log('debug', 'stored session changed: refresh result dropped')
      syncFromStorage('tokens')
      return
    }
    noteArrival(next)
    commit(next, refreshToken)
  }

  /** Storage still holds the session refreshed with `used` (or this tab's memory-only marker). */
  function storageStillHolds(used: string): boolean {
    if (ownsMarker(readRecord()) || keptForeign()) return true
    return readStored()?.refresh === used
  }

  /** Storage holds a refresh token other than `used` (another tab rotated first)? */
  function rotatedElsewhere(used: string | undefined): boolean {
    const stored = readStored()
    return !!stored && stored.refresh !== undefined && stored.refresh !== used
  }

  /** Resolve `true` as soon as another tab's rotation shows in storage, `false` after `ms`. */
  function waitForRotation(used: string | undefined, ms: number): Promise<boolean> {
    if (rotatedElsewhere(used)) return Promise.resolve(true)
    if (ms <= 0) return Promise.resolve(false)
    return new Promise((resolve) => {
      const deadline = now() + ms
      let poll: unknown
      const finish = (value: boolean): void => {
        channelWaiters.delete(check)
        if (poll !== undefined) scheduler.clearTimeout(poll)
        resolve(value)
      }
      // Polling covers environments without BroadcastChannel; the channel makes it prompt.
      function check(): void {
        if (destroyed) return finish(false)
        if (rotatedElsewhere(used)) return finish(true)
        if (now() >= deadline) return finish(false)
        poll = scheduler.setTimeout(check, Math.min(50, Math.max(1, deadline - now())))
      }
      channelWaiters.add(check)
      poll = scheduler.setTimeout(check, Math.min(50, ms))
    })
  }

  function noSessionError(): ChatError {
    return status === 'unauthorized' ? sessionExpired() : notAuthenticated()
  }

  /**
   * One refresh round trip (with recovery when another tab rotated the token we used). A final
   * 401 is declared here, inside the lock, so the next tab in line sees the cleared storage.
   */
  async function refreshOnce(gen: number): Promise<void> {
    if (!session) throw noSessionError()
    const used = session.refresh
    const usedAccess = session.access
    if (used === undefined) throw new ChatError('refresh_failed', 'No refresh token')
    try {
      await refreshRoundTrip(gen, used)
    }
    catch (error) {
      if (isChatError(error) && error.code === 'unauthorized' && gen === generation)
        declareUnauthorized(error, session?.refresh ?? used, session?.access ?? usedAccess)
      throw error
    }
  }

  async function refreshRoundTrip(gen: number, used: string): Promise<void> {
    try {
      await postRefresh(gen, used)
    }
    catch (error) {
      if (!isChatError(error) || error.code !== 'unauthorized' || gen !== generation) throw error
      if (!(await waitForRotation(used, graceMs)) || gen !== generation) throw error
      syncFromStorage()
      if (!session) throw noSessionError()
      // Another account now (its own schedule refreshes it), or the adopted token is fresh.
      if (gen !== generation || !isRefreshDue(session.timing, now())) return
      if (session.refresh === undefined || session.refresh === used) throw error
      await postRefresh(gen, session.refresh)
    }
  }

  async function refreshWithLock(gen: number, heldAccess: string, heldRefresh: string | undefined): Promise<void> {
    if (!locks) return refreshOnce(gen)
    return locks.request(lockName, async () => {
      if (gen !== generation || destroyed) return
      const stored = readStored()
      const unchanged = keptForeign() || (stored ? stored.access === heldAccess && stored.refresh === heldRefresh : ownsMarker(readRecord()))
      if (!unchanged) {
        // Another tab refreshed (or logged out) while we waited for the lock.
        syncFromStorage()
        if (!session) throw noSessionError()
        // Another account now: a result under this generation would be dropped after spending its refresh token.
        if (gen !== generation || !isRefreshDue(session.timing, now())) return
      }
      return refreshOnce(gen)
    })
  }

  async function runRefresh(): Promise<void> {
    syncFromStorage()
    if (!session) throw noSessionError()
    const gen = generation
    const { access, refresh: refreshToken } = session
    if (refreshToken === undefined) {
      if (isExpired(session.timing, now())) {
        const error = sessionExpired()
        declareUnauthorized(error, undefined, access)
        throw error
      }
      throw new ChatError('refresh_failed', 'No refresh token')
    }
    if (status === 'authenticated') {
      status = 'refreshing'
      publish()
    }
    try {
      // A 401 was already declared inside refreshOnce (under the lock).
      await refreshWithLock(gen, access, refreshToken)
    }
    catch (error) {
      if (isTransient(error) && !destroyed && session && gen === generation) {
        hold(error)
        log('debug', 'refresh failed; will retry', { attempt: retryAttempt })
        schedule()
      }
      throw error
    }
    finally {
      if (status === 'refreshing' && !destroyed) {
        status = session ? 'authenticated' : 'anonymous'
        publish()
      }
    }
  }

  function refresh(): Promise<void> {
    if (destroyed) return Promise.reject(destroyedError())
    if (passive) return Promise.reject(new ChatError('refresh_failed', 'Passive client'))
    if (!refreshInFlight) {
      refreshInFlight = runRefresh().finally(() => {
        refreshInFlight = null
      })
    }
    return refreshInFlight
  }

  // ---- public API ----------------------------------------------------------------------------

  async function getAccessToken(): Promise<string> {
    if (destroyed) throw destroyedError()
    syncFromStorage()
    if (!session) throw noSessionError()
    if (!isRefreshDue(session.timing, now())) return session.access
    if ((passive || session.refresh === undefined) && !isExpired(session.timing, now())) return session.access
    if (passive) throw sessionExpired()
    if (holding()) {
      // Backing off: a token the server has just issued is the best there is; after a failure, wait
      // unless the expired token leaves nothing to use and the network may be back.
      if (!holdError || !isExpired(session.timing, now())) return session.access
      if (!mayRetryEarly()) throw holdError
    }
    try {
      await refresh()
    }
    catch (error) {
      // Within the threshold but not yet expired: the current token still opens a socket.
      const current = session as Session | null
      const transient = isTransient(error) || (isChatError(error) && error.code === 'refresh_failed')
      if (transient && current && !isExpired(current.timing, now())) return current.access
      throw error
    }
    const current = session as Session | null
    if (!current) throw noSessionError()
    return current.access
  }

  function remember(token: string): void {
    diagnosed.add(token)
    if (diagnosed.size > DIAGNOSED_LIMIT) {
      const oldest = diagnosed.values().next()
      if (!oldest.done) diagnosed.delete(oldest.value)
    }
  }

  /** Refresh for a failed handshake; on success both the failed and the new token count as diagnosed. */
  async function refreshForDiagnosis(tokenUsed: string): Promise<'outage' | 'refreshed' | 'unauthorized'> {
    try {
      await refresh()
    }
    catch (error) {
      if (status === 'unauthorized' || !session) return 'unauthorized'
      if (isChatError(error) && error.code === 'unauthorized') return 'unauthorized'
      return 'outage'
    }
    const current = session as Session | null
    if (!current) return 'unauthorized'
    remember(tokenUsed)
    remember(current.access)
    return 'refreshed'
  }

  async function diagnoseHandshakeFailure(tokenUsed: string): Promise<'outage' | 'refreshed' | 'unauthorized'> {
    if (destroyed) return 'outage'
    syncFromStorage()
    if (!session) return 'unauthorized'
    if (session.access !== tokenUsed && !isExpired(session.timing, now())) return 'refreshed'
    const claims = tokenUsed === session.access ? null : tryReadClaims(tokenUsed)
    const timing = tokenUsed === session.access ? session.timing : claims ? tokenTiming(claims, refreshThresholdMs, clockSkewMs, knownOffset) : null
    // A token already handled once goes to the server even if it looks stale: no refresh loop.
    if (!diagnosed.has(tokenUsed) && (!timing || isRefreshDue(timing, now()))) {
      if (holding() && holdError) return 'outage'
      // A token that arrived due (clocks apart) is judged by the server, not refreshed again.
      if (!holding()) return refreshForDiagnosis(tokenUsed)
    }
    let response: JsonResponse
    try {
      response = await requestJson(http, { method: 'GET', url: `${apiUrl}/api/auth/me/`, token: tokenUsed, label: 'session check' })
    }
    catch {
      return 'outage'
    }
    if (destroyed) return 'outage'
    if (response.status !== 401) return 'outage'
    const current = session as Session | null
    if (!current) return 'unauthorized'
    if (diagnosed.has(tokenUsed)) {
      declareUnauthorized(sessionExpired(401), current.refresh, tokenUsed)
      return 'unauthorized'
    }
    if (current.access !== tokenUsed) return 'refreshed'
    return refreshForDiagnosis(tokenUsed)
  }

  async function login(email: string, password: string): Promise<ChatUser> {
    if (destroyed) throw destroyedError()
    const response = await requestJson(http, {
      method: 'POST',
      url: `${apiUrl}/api/auth/login/`,
      body: { email, password },
      label: 'login',
    })
    const body = asRecord(response.body)
    if (response.status === 401)
      throw new ChatError('invalid_credentials', 'Wrong email or password', { status: 401, details: body ?? undefined })
    if (!response.ok) throw errorFromResponse(response, 'login')
    const tokens = asRecord(body?.tokens)
    let next: Session | null = null
    try {
      const access = tokens?.access as string
      next = makeSession({ access, refresh: tokens?.refresh as string | undefined }, normaliseUser(body?.user, userIdFrom(readClaims(access), userIdClaim)), 'fresh')
    }
    catch {
      // Reported below as an unexpected response.
    }
    const user = next?.user
    if (!next || !user) throw new ChatError('http', 'login: unexpected response', { status: response.status })
    if (destroyed) throw destroyedError()
    replace(next)
    noteArrival(next)
    schedule()
    return user
  }

  async function logout(): Promise<void> {
    safeRemove()
    if (destroyed) return
    clearLocal('anonymous')
    broadcast('logout')
    deps.onLogout?.()
  }

  async function me(): Promise<ChatUser> {
    let token = await getAccessToken()
    const call = (bearer: string) => requestJson(http, { method: 'GET', url: `${apiUrl}/api/auth/me/`, token: bearer, label: 'me' })
    let response = await call(token)
    if (response.status === 401) {
      await refresh()
      const current = session as Session | null
      if (!current) throw notAuthenticated()
      token = current.access
      response = await call(token)
      if (response.status === 401) {
        const error = sessionExpired(401)
        declareUnauthorized(error, current.refresh, token)
        throw error
      }
    }
    if (!response.ok) throw errorFromResponse(response, 'me')
    const user = normaliseUser(response.body)
    if (!user) throw new ChatError('http', 'me: unexpected response', { status: response.status })
    const current = session as Session | null
    if (current && current.access === token && current.userId === user.id && !destroyed) {
      session = { ...current, user }
      writeStored(session)
      publish()
      broadcast('tokens')
    }
    return user
  }

  function setTokens(tokens: TokenPair, user?: ChatUser): void {
    if (destroyed) throw destroyedError()
    const claims = readClaims(tokens?.access)
    const tokenUserId = userIdFrom(claims, userIdClaim)
    const normalised = user === undefined ? null : normaliseUser(user, tokenUserId)
    if (normalised && tokenUserId !== null && normalised.id !== tokenUserId)
      throw new ChatError('validation', 'setTokens: user.id is not the token\'s user')
    replace(makeSession(tokens, normalised, knownOffset, now()))
  }

  /** Online and visible, as last seen: only a change to it (the network or the user back) counts. */
  let present = false
  const isPresent = (signals: EnvironmentSignals): boolean => signals.isOnline() && signals.isVisible()

  function onSignals(signals: EnvironmentSignals): void {
    const wasPresent = present
    present = isPresent(signals)
    if (!present || wasPresent || destroyed || !session || !holding() || !mayRetryEarly()) return
    // One attempt now; a failure holds again, with the next backoff step.
    holdUntil = now()
    schedule()
  }

  let unsubscribeSignals: () => void = () => {}
  const signals = passive ? undefined : deps.signals
  if (signals) {
    try {
      present = isPresent(signals)
      unsubscribeSignals = signals.subscribe(() => onSignals(signals))
    }
    catch {
      // Without signals the backoff still ends on its own, or when a caller asks for a token.
    }
  }

  function destroy(): void {
    if (destroyed) return
    destroyed = true
    generation++
    cancelTimer()
    try {
      unsubscribeSignals()
    }
    catch {
      // Nothing more to stop.
    }
    for (const waiter of [...channelWaiters]) waiter()
    if (channel) {
      channel.onmessage = null
      try {
        channel.close()
      }
      catch {
        // Already closed.
      }
    }
    events.clear()
  }

  if (channel) {
    channel.onmessage = (event) => {
      const message = asRecord(event?.data)
      if (!message || message.from === instanceId || destroyed) return
      if (message.type !== 'tokens' && message.type !== 'logout' && message.type !== 'unauthorized') return
      const signedIn = session !== null || status === 'unauthorized'
      syncFromStorage(message.type)
      if (message.type === 'logout' && signedIn && session === null) {
        // An expired session here ends with the other tab's logout too.
        if (status === 'unauthorized') clearLocal('anonymous')
        deps.onLogout?.()
      }
      for (const waiter of [...channelWaiters]) waiter()
    }
  }

  syncFromStorage()

  const api: ChatAuth = {
    getState: () => state,
    subscribe: listener => events.on('change', () => listener()),
    on: (event, handler) => events.on(event, handler),
    login,
    logout,
    me,
    setTokens,
    getAccessToken,
    refresh,
  }
  return {
    ...api,
    api,
    get userId() {
      return session?.userId ?? null
    },
    diagnoseHandshakeFailure,
    destroy,
  }
}
