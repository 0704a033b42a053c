/**
 * The access token a socket handshake gets: the current one while it is fresh, else refreshed
 * first. A backoff hold hands out what there is, unless the token has expired and the network
 * may be back; a failed refresh still hands out a token that has not expired yet.
 */
import { isChatError } from '../errors'
import { destroyedError, isTransient, requireSession, sessionExpired } from './errors'
import type { AuthMachine } from './phase'
import type { RefreshBackoff } from './refresh-backoff'
import { isExpired, isRefreshDue } from './token-timing'

/**
 * `sync` makes memory agree with storage first; `passive` (SSR) never refreshes.
 * Rejects with ChatError `not_authenticated` (no tokens), `unauthorized` (terminal) or the refresh's error.
 */
export function createAccessToken(
  machine: AuthMachine,
  sync: () => void,
  backoff: RefreshBackoff,
  refresh: () => Promise<void>,
  passive: boolean,
  now: () => number,
): () => Promise<string> {
  return async () => {
    if (machine.destroyed()) throw destroyedError()
    sync()
    const { access, refresh: refreshToken, timing } = requireSession(machine)
    if (!isRefreshDue(timing, now())) return access
    if ((passive || refreshToken === undefined) && !isExpired(timing, now())) return access
    if (passive) throw sessionExpired()
    if (backoff.holding()) {
      // Backing off: a token the server has just issued is the best there is; after a failure, wait
      // unless the expired token leaves nothing to use and the network may be back.
      const error = backoff.error()
      if (!error || !isExpired(timing, now())) return access
      if (!backoff.mayRetryEarly()) throw error
    }
    try {
      await refresh()
    }
    catch (error) {
      // Within the threshold but not yet expired: the current token still opens a socket.
      const held = machine.session()
      const transient = isTransient(error) || (isChatError(error) && error.code === 'refresh_failed')
      if (transient && held && !isExpired(held.timing, now())) return held.access
      throw error
    }
    return requireSession(machine).access
  }
}
