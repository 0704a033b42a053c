/**
 * Running a refresh: single-flight in the tab, one tab at a time under the cross-tab lock, and the
 * answers sorted. Only the refresh token being refused is terminal; an outage or a gateway error
 * holds automatic refreshes with backoff; a 401 for a token another tab has just rotated is
 * recovered from storage.
 */
import { ChatError, isChatError } from '../errors'
import { asRecord, requestJson } from './http'
import type { HttpOptions } from './http'
import { destroyedError, isTransient, noRefreshToken, requireSession, sessionExpired } from './errors'
import type { AuthMachine } from './phase'
import type { RefreshBackoff } from './refresh-backoff'
import type { RefreshTimer } from './refresh-timer'
import type { RefreshLock, SessionChanges } from './session-changes'
import type { Session, SessionFactory } from './session'
import type { StorageSync } from './storage-sync'
import type { StoredSession } from './stored-session'
import type { TabChannel } from './tab-channel'
import { isExpired, isRefreshDue } from './token-timing'

export interface RefreshRunnerDeps {
  http: HttpOptions
  /** `POST` endpoint of the refresh. */
  url: string
  machine: AuthMachine
  sessions: SessionFactory
  stored: StoredSession
  storage: StorageSync
  changes: SessionChanges
  backoff: RefreshBackoff
  timer: RefreshTimer
  tabs: TabChannel
  lock: RefreshLock
  /** Without Web Locks, how long a refresh answered 401 waits for another tab's rotated token. */
  graceMs: number
  passive: boolean
  now: () => number
  debug: (message: string, details?: Record<string, unknown>) => void
}

/** `refresh()` of the auth API: rejects with the refresh's ChatError; a 401 has signed the session out by then. */
export function createRefreshRunner(deps: RefreshRunnerDeps): () => Promise<void> {
  const { http, url, machine, sessions, stored, storage, changes, backoff, timer, tabs, lock, graceMs, passive, now, debug } = deps
  const current = (gen: number): boolean => gen === machine.epoch()
  let inFlight: Promise<void> | null = null


  async function post(gen: number, refreshToken: string): Promise<void> {
    const response = await requestJson(http, { method: 'POST', url, body: { refresh: refreshToken }, label: 'token refresh' })
    if (!current(gen)) return
    // Only the refresh token itself being refused is terminal; a gateway error or an outage is not.
    if (response.status === 401 || response.status === 400) throw sessionExpired(response.status)
    const body = asRecord(response.body)
    let next: Session | null = null
    if (response.ok) {
      try {
        const refresh = typeof body?.refresh === 'string' ? body.refresh : refreshToken
        next = sessions.make({ access: body?.access as string, refresh }, machine.session()?.user ?? null, 'fresh')
      }
      catch {
        // No readable access token: reported below.
      }
    }
    if (!next) throw new ChatError('http', `Token refresh failed (HTTP ${response.status})`, { status: response.status })
    timer.answered()
    if (!stored.holds(refreshToken)) {
      // Another tab signed in (or out) meanwhile: its session wins over this older one's refresh.
      debug('stored session changed: refresh result dropped')
      storage.sync('tokens')
      return
    }
    backoff.noteArrival(next)
    changes.commit(next, refreshToken)
  }

  /** A 401 for `used` may mean another tab rotated it first: adopt its token and refresh that if due. */
  async function roundTrip(gen: number, used: string): Promise<void> {
    try {
      await post(gen, used)
    }
    catch (error) {
      if (!isChatError(error) || error.code !== 'unauthorized' || !current(gen)) throw error
      if (!(await tabs.waitFor(() => stored.rotatedElsewhere(used), graceMs)) || !current(gen)) throw error
      storage.sync()
      const adopted = requireSession(machine)
      // Another account now (its own schedule refreshes it), or the adopted token is fresh.
      if (!current(gen) || !isRefreshDue(adopted.timing, now())) return
      if (adopted.refresh === undefined || adopted.refresh === used) throw error
      await post(gen, adopted.refresh)
    }
  }

  /** One refresh; a final 401 is declared here, inside the lock, so the next tab in line sees the cleared storage. */
  async function once(gen: number): Promise<void> {
    const { access, refresh: used } = requireSession(machine)
    if (used === undefined) throw noRefreshToken()
    try {
      await roundTrip(gen, used)
    }
    catch (error) {
      if (isChatError(error) && error.code === 'unauthorized' && current(gen)) {
        const failed = machine.session()
        changes.reject(error, failed?.refresh ?? used, failed?.access ?? access)
      }
      throw error
    }
  }

  function locked(gen: number, heldAccess: string, heldRefresh: string): Promise<void> {
    if (!lock) return once(gen)
    return lock(async () => {
      if (!current(gen)) return
      if (!stored.unchanged(heldAccess, heldRefresh)) {
        // Another tab refreshed (or logged out) while we waited for the lock.
        storage.sync()
        // Another account now: a result under this epoch would be dropped after spending its refresh token.
        if (!isRefreshDue(requireSession(machine).timing, now()) || !current(gen)) return
      }
      return once(gen)
    })
  }

  async function run(): Promise<void> {
    storage.sync()
    const { access, refresh, timing } = requireSession(machine)
    const gen = machine.epoch()
    if (refresh === undefined) {
      if (!isExpired(timing, now())) throw noRefreshToken()
      const error = sessionExpired()
      changes.reject(error, undefined, access)
      throw error
    }
    if (machine.transition('refreshStarted')) machine.publish()
    try {
      // A 401 was already declared inside `once` (under the lock).
      await locked(gen, access, refresh)
    }
    catch (error) {
      if (isTransient(error) && current(gen)) {
        backoff.hold(error)
        debug('refresh failed; will retry', { attempt: backoff.attempt() })
        timer.schedule()
      }
      throw error
    }
    finally {
      if (machine.transition('refreshSettled')) machine.publish()
    }
  }

  return () => {
    if (machine.destroyed()) return Promise.reject(destroyedError())
    if (passive) return Promise.reject(new ChatError('refresh_failed', 'Passive client'))
    inFlight ??= run().finally(() => {
      inFlight = null
    })
    return inFlight
  }
}
