/**
 * Running a refresh: single-flight in the tab, one tab at a time under the cross-tab lock, and the
 * answers sorted. Only the refresh token being refused is terminal; an outage or a gateway error
 * holds automatic refreshes with backoff; a 401 for a token another tab has just rotated is
 * recovered from storage. Also the access token a socket handshake gets, refreshed first when due.
 */
import { ChatError, isChatError } from '../errors'
import { asRecord, requestJson } from './http'
import type { AuthEnv } from './env'
import { destroyedError, isTransient, noRefreshToken, requireSession, sessionExpired } from './errors'
import type { AuthMachine } from './phase'
import type { RefreshSchedule } from './refresh-schedule'
import type { Session, SessionFactory } from './session'
import type { SessionSync } from './session-sync'
import type { StoredSession } from './stored-session'
import { isExpired, isRefreshDue } from './token-timing'

/** The refresh and the token it yields. */
export interface RefreshRunner {
  /** `refresh()` of the auth API: rejects with the refresh's ChatError; a 401 has signed the session out by then. */
  refresh(): Promise<void>
  /**
   * The current access token while it is fresh, else refreshed first. A backoff hold hands out what
   * there is, unless the token has expired and the network may be back; a failed refresh still
   * hands out a token that has not expired. Rejects with ChatError `not_authenticated` (no tokens),
   * `unauthorized` (terminal) or the refresh's error.
   */
  getAccessToken(): Promise<string>
}

/** `graceMs`: without Web Locks, how long a refresh answered 401 waits for another tab's rotated token. */
export function createRefreshRunner(
  env: AuthEnv,
  machine: AuthMachine,
  sessions: SessionFactory,
  stored: StoredSession,
  sync: SessionSync,
  schedule: RefreshSchedule,
  graceMs: number,
): RefreshRunner {
  const { now, lock, passive } = env
  const current = (gen: number): boolean => gen === machine.epoch()
  /** The refresh running, and the epoch it started in (a later session never joins an older one's). */
  let inFlight: { epoch: number; done: Promise<void> } | null = null

  async function post(gen: number, refreshToken: string): Promise<void> {
    const response = await requestJson(env.http, { method: 'POST', url: `${env.apiUrl}/api/auth/token/refresh/`, body: { refresh: refreshToken }, label: 'token refresh' })
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
    schedule.answered()
    if (!stored.holds(refreshToken)) {
      // Another tab signed in (or out) meanwhile: its session wins over this older one's refresh.
      env.log('debug', 'refresh dropped: session changed')
      sync.sync('tokens')
      return
    }
    schedule.noteArrival(next)
    sync.commit(next, refreshToken)
  }

  /** A 401 for `used` may mean another tab rotated it first: adopt its token and refresh that if due. */
  async function roundTrip(gen: number, used: string): Promise<void> {
    try {
      await post(gen, used)
    }
    catch (error) {
      if (!isChatError(error) || error.code !== 'unauthorized' || !current(gen)) throw error
      if (!(await sync.waitFor(() => stored.rotatedElsewhere(used), graceMs)) || !current(gen)) throw error
      sync.sync()
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
        sync.reject(error, failed?.refresh ?? used, failed?.access ?? access)
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
        sync.sync()
        // Another account now: a result under this epoch would be dropped after spending its refresh token.
        if (!isRefreshDue(requireSession(machine).timing, now()) || !current(gen)) return
      }
      return once(gen)
    })
  }

  async function run(): Promise<void> {
    sync.sync()
    const { access, refresh, timing } = requireSession(machine)
    const gen = machine.epoch()
    if (refresh === undefined) {
      if (!isExpired(timing, now())) throw noRefreshToken()
      const error = sessionExpired()
      sync.reject(error, undefined, access)
      throw error
    }
    if (machine.transition('refreshStarted')) machine.publish()
    try {
      // A 401 was already declared inside `once` (under the lock).
      await locked(gen, access, refresh)
    }
    catch (error) {
      if (isTransient(error) && current(gen)) schedule.retryLater(error)
      throw error
    }
    finally {
      if (machine.transition('refreshSettled')) machine.publish()
    }
  }

  function refresh(): Promise<void> {
    if (machine.destroyed()) return Promise.reject(destroyedError())
    if (passive) return Promise.reject(new ChatError('refresh_failed', 'Passive client'))
    const epoch = machine.epoch()
    if (inFlight?.epoch === epoch) return inFlight.done
    // A refresh of an earlier session commits nothing now; this session's own must still run.
    const mine = { epoch, done: run().finally(() => {
      if (inFlight === mine) inFlight = null
    }) }
    inFlight = mine
    return mine.done
  }

  return {
    refresh,
    async getAccessToken() {
      if (machine.destroyed()) throw destroyedError()
      sync.sync()
      const { access, refresh: refreshToken, timing } = requireSession(machine)
      if (!isRefreshDue(timing, now())) return access
      if ((passive || refreshToken === undefined) && !isExpired(timing, now())) return access
      if (passive) throw sessionExpired()
      const held = schedule.held()
      if (held !== undefined) {
        // Backing off: a token the server has just issued is the best there is; after a failure, wait
        // unless the expired token leaves nothing to use and the network may be back.
        if (!held || !isExpired(timing, now())) return access
        if (!schedule.mayRetryEarly()) throw held
      }
      try {
        await refresh()
      }
      catch (error) {
        // Within the threshold but not yet expired: the current token still opens a socket.
        const kept = machine.session()
        const transient = isTransient(error) || (isChatError(error) && error.code === 'refresh_failed')
        if (transient && kept && !isExpired(kept.timing, now())) return kept.access
        throw error
      }
      return requireSession(machine).access
    },
  }
}
