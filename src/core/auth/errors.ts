/** The errors auth answers with; none names a token. */
import { ChatError, isChatError } from '../errors'
import type { AuthStatus } from '../types'
import type { AuthMachine } from './phase'
import type { Session } from './session'

/** Nobody is signed in. */
export function notAuthenticated(): ChatError {
  return new ChatError('not_authenticated', 'Not signed in')
}

/** The server refused the session (or it expired with no way to refresh it): sign in again. */
export function sessionExpired(status?: number): ChatError {
  return new ChatError('unauthorized', 'Session expired: sign in again', { status })
}

/** The controller was destroyed. */
export function destroyedError(): ChatError {
  return new ChatError('closed', 'Client destroyed')
}

/** The session has only an access token. */
export function noRefreshToken(): ChatError {
  return new ChatError('refresh_failed', 'No refresh token')
}

/** Why there is no session: it expired (`unauthorized`), or nobody signed in. */
export function noSessionError(status: AuthStatus): ChatError {
  return status === 'unauthorized' ? sessionExpired() : notAuthenticated()
}

/** The current session, or throws why there is none. */
export function requireSession(machine: AuthMachine): Session {
  const session = machine.session()
  if (!session) throw noSessionError(machine.status())
  return session
}

/** An outage or a gateway error: worth retrying, never a reason to sign out. */
export function isTransient(error: unknown): error is ChatError {
  return isChatError(error) && (error.code === 'network' || error.code === 'http')
}
