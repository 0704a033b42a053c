/**
 * Why a socket handshake failed, without guessing: an auth problem (refresh, or sign out) or an
 * outage (which never signs the user out). A token the server already rejected once after a
 * refresh is not refreshed again: no refresh loop.
 */
import { isChatError } from '../errors'
import { requestJson } from './http'
import type { HttpOptions, JsonResponse } from './http'
import { sessionExpired } from './errors'
import { tryReadClaims } from './jwt'
import type { AuthMachine } from './phase'
import type { RefreshBackoff } from './refresh-backoff'
import type { SessionChanges } from './session-changes'
import type { SessionFactory } from './session'
import { isExpired, isRefreshDue } from './token-timing'

const DIAGNOSED_LIMIT = 16

export type Diagnosis = 'outage' | 'refreshed' | 'unauthorized'

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

export interface DiagnosisDeps {
  http: HttpOptions
  /** The `GET` endpoint that tells whether a token is still accepted. */
  meUrl: string
  machine: AuthMachine
  sessions: SessionFactory
  backoff: RefreshBackoff
  changes: SessionChanges
  sync: () => void
  refresh: () => Promise<void>
  now: () => number
}

export function createHandshakeDiagnosis({ http, meUrl, machine, sessions, backoff, changes, sync, refresh, now }: DiagnosisDeps): HandshakeDiagnosis {
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
      sync()
      const session = machine.session()
      if (!session) return 'unauthorized'
      const own = session.access === tokenUsed
      if (!own && !isExpired(session.timing, now())) return 'refreshed'
      const claims = own ? null : tryReadClaims(tokenUsed)
      const timing = own ? session.timing : claims ? sessions.timing(claims) : null
      // A token already handled once goes to the server even if it looks stale: no refresh loop.
      if (!diagnosed.has(tokenUsed) && (!timing || isRefreshDue(timing, now()))) {
        if (backoff.holding() && backoff.error()) return 'outage'
        // A token that arrived due (clocks apart) is judged by the server, not refreshed again.
        if (!backoff.holding()) return refreshFor(tokenUsed)
      }
      let response: JsonResponse
      try {
        response = await requestJson(http, { method: 'GET', url: meUrl, token: tokenUsed, label: 'session check' })
      }
      catch {
        return 'outage'
      }
      if (machine.destroyed() || response.status !== 401) return 'outage'
      const current = machine.session()
      if (!current) return 'unauthorized'
      if (diagnosed.has(tokenUsed)) {
        changes.reject(sessionExpired(401), current.refresh, tokenUsed)
        return 'unauthorized'
      }
      return current.access !== tokenUsed ? 'refreshed' : refreshFor(tokenUsed)
    },
  }
}
