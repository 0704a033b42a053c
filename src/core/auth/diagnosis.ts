/**
 * Why a socket handshake failed, without guessing: an auth problem (refresh, or sign out) or an
 * outage (which never signs the user out). A token the server already rejected once after a
 * refresh is not refreshed again: no refresh loop.
 */
import { isChatError } from '../errors'
import { requestJson } from './http'
import type { JsonResponse } from './http'
import type { AuthEnv } from './env'
import { sessionExpired } from './errors'
import { tryReadClaims } from './jwt'
import type { AuthMachine } from './phase'
import type { RefreshSchedule } from './refresh-schedule'
import type { SessionFactory } from './session'
import type { SessionSync } from './session-sync'
import { isExpired, isRefreshDue } from './token-timing'

const DIAGNOSED_LIMIT = 16

/** What a failed handshake means: an outage (retry later), a refreshed token (retry now), or a session to end. */
export type Diagnosis = 'outage' | 'refreshed' | 'unauthorized'

/** The diagnosis and the tokens it has already handled. */
export interface HandshakeDiagnosis {
  /**
   * A handshake with `tokenUsed` failed before the socket opened (or closed 4401). Token expired
   * or near expiry locally: refresh (`'refreshed'`). Else ask `GET /api/auth/me/`: 401 → refresh
   * once (`'refreshed'`, or `'unauthorized'` when the refresh is refused); 200 or no answer →
   * `'outage'`. A token already diagnosed (or issued by a diagnosis) that still gets 401 → `'unauthorized'`.
   */
  diagnose(tokenUsed: string): Promise<Diagnosis>
  /** A new session: what was diagnosed before says nothing about it. */
  forget(): void
}

/** `refresh`: the runner's single-flight refresh. */
export function createHandshakeDiagnosis(
  env: AuthEnv,
  machine: AuthMachine,
  sessions: SessionFactory,
  schedule: RefreshSchedule,
  sync: SessionSync,
  refresh: () => Promise<void>,
): HandshakeDiagnosis {
  const { now } = env
  const diagnosed = new Set<string>()

  function remember(token: string): void {
    diagnosed.add(token)
    if (diagnosed.size > DIAGNOSED_LIMIT) {
      const oldest = diagnosed.values().next()
      if (!oldest.done) diagnosed.delete(oldest.value)
    }
  }

  /** Refresh for a failed handshake; on success both the failed and the new token count as diagnosed. */
  async function refreshFor(tokenUsed: string): Promise<Diagnosis> {
    try {
      await refresh()
    }
    catch (error) {
      if (machine.status() === 'unauthorized' || !machine.session()) return 'unauthorized'
      return isChatError(error) && error.code === 'unauthorized' ? 'unauthorized' : 'outage'
    }
    const session = machine.session()
    if (!session) return 'unauthorized'
    remember(tokenUsed)
    remember(session.access)
    return 'refreshed'
  }

  return {
    forget: () => diagnosed.clear(),
    async diagnose(tokenUsed) {
      if (machine.destroyed()) return 'outage'
      sync.sync()
      const session = machine.session()
      if (!session) return 'unauthorized'
      const own = session.access === tokenUsed
      if (!own && !isExpired(session.timing, now())) return 'refreshed'
      const claims = own ? null : tryReadClaims(tokenUsed)
      const timing = own ? session.timing : claims ? sessions.timing(claims) : null
      // A token already handled once goes to the server even if it looks stale: no refresh loop.
      if (!diagnosed.has(tokenUsed) && (!timing || isRefreshDue(timing, now()))) {
        const held = schedule.held()
        if (held) return 'outage'
        // A token that arrived due (clocks apart) is judged by the server, not refreshed again.
        if (held === undefined) return refreshFor(tokenUsed)
      }
      let response: JsonResponse
      try {
        response = await requestJson(env.http, { method: 'GET', url: `${env.apiUrl}/api/auth/me/`, token: tokenUsed, label: 'session check' })
      }
      catch {
        return 'outage'
      }
      if (machine.destroyed() || response.status !== 401) return 'outage'
      const current = machine.session()
      if (!current) return 'unauthorized'
      if (diagnosed.has(tokenUsed)) {
        sync.reject(sessionExpired(401), current.refresh, tokenUsed)
        return 'unauthorized'
      }
      return current.access !== tokenUsed ? 'refreshed' : refreshFor(tokenUsed)
    },
  }
}
