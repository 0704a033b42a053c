/**
 * The auth controller: wires the session's parts (state machine, stored session, refresh schedule
 * and runner, cross-tab sync, handshake diagnosis, the public commands) into the `ChatAuth` a
 * client holds.
 */
import { createEmitter } from '../emitter'
import { defaultChannelFactory, defaultLocks, openChannel } from '../cross-tab'
import type { BroadcastChannelLike, LockManagerLike } from '../cross-tab'
import { storageKeys } from '../persistence/storage-keys'
import type { ChatAuth, ChatAuthEvents, ChatLogger, EnvironmentSignals, FetchLike, Scheduler, StorageAdapter } from '../types'
import { createHandshakeDiagnosis } from './diagnosis'
import type { Diagnosis } from './diagnosis'
import type { AuthEnv } from './env'
import { createAuthMachine } from './phase'
import { createRefreshRunner } from './refresh-runner'
import { createRefreshSchedule } from './refresh-schedule'
import { createSessionCommands } from './session-commands'
import { createSessionFactory } from './session'
import { createSessionSync } from './session-sync'
import { createStoredSession } from './stored-session'

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
  /** Unique per client (across tabs and reloads): tells this controller's cross-tab messages and storage markers from other tabs'. */
  instanceId: string
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
  diagnoseHandshakeFailure(tokenUsed: string): Promise<Diagnosis>
  /** Stop timers, close the channel, drop listeners. Storage is kept. */
  destroy(): void
  /** The public part alone (what `client.auth` exposes: no diagnosis, no `destroy`). */
  readonly api: ChatAuth
}

/**
 * Create the auth controller. One per client; no module-level state (safe under SSR).
 *
 * @example
 * const auth = createAuth({ apiUrl, fetch, storage: createMemoryStorage(), storageKey: 'vrc', scheduler,
 *   userIdClaim: 'user_id', refreshThresholdMs: 300_000, clockSkewMs: 30_000, crossTab: true, instanceId: crypto.randomUUID() })
 * await auth.login('student@example.com', 'secret')
 * const token = await auth.getAccessToken()
 */
export function createAuth(deps: AuthDeps): AuthController {
  const { scheduler } = deps
  const authKey = storageKeys(deps.storageKey).auth
  const passive = deps.passive === true
  const crossTab = deps.crossTab && !passive
  const locks = crossTab ? (deps.locks === undefined ? defaultLocks() : deps.locks) : null
  const events = createEmitter<ChatAuthEvents>()
  const env: AuthEnv = {
    http: { fetch: deps.fetch, scheduler, timeoutMs: deps.requestTimeoutMs },
    apiUrl: deps.apiUrl,
    scheduler,
    now: () => scheduler.now(),
    passive,
    instanceId: deps.instanceId,
    lock: locks ? task => locks.request(`${authKey}:refresh`, task) : null,
    events,
    log(level, message, details) {
      try {
        deps.logger?.[level]?.(`[auth] ${message}`, details)
      }
      catch {
        // A broken logger must not break auth.
      }
    },
  }

  const machine = createAuthMachine(env, () => {
    schedule.release()
    diagnosis.forget()
  })
  const sessions = createSessionFactory(deps.userIdClaim, deps.refreshThresholdMs, deps.clockSkewMs, env.now)
  const stored = createStoredSession(env, deps.storage, authKey, machine.session)
  const schedule = createRefreshSchedule(env, machine, passive ? undefined : deps.signals, () => {
    // Failures are classified (and retries scheduled) by the runner.
    runner.refresh().catch(() => {})
  })
  const channel = crossTab ? openChannel(deps.createChannel === undefined ? defaultChannelFactory() : deps.createChannel, authKey) : null
  const sync = createSessionSync(env, machine, stored, sessions, schedule, channel, deps.onLogout)
  const runner = createRefreshRunner(env, machine, sessions, stored, sync, schedule, crossTab && !locks ? (deps.rotationGraceMs ?? 1000) : 0)
  const diagnosis = createHandshakeDiagnosis(env, machine, sessions, schedule, sync, runner.refresh)
  const commands = createSessionCommands(env, machine, sessions, stored, sync, schedule, runner)

  sync.sync()

  const api: ChatAuth = {
    getState: machine.state,
    subscribe: listener => events.on('change', () => listener()),
    on: (event, handler) => events.on(event, handler),
    ...commands,
    ...runner,
  }
  return {
    ...api,
    api,
    diagnoseHandshakeFailure: diagnosis.diagnose,
    destroy() {
      if (machine.destroyed()) return
      machine.destroy()
      schedule.stop()
      sync.close()
      events.clear()
    },
  }
}
