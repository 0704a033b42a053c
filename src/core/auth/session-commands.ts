/**
 * The public commands that start, update or end a session: `login`, `setTokens` (apps with their
 * own login), `me` (the profile, which also proves the token) and `logout`.
 */
import { ChatError } from '../errors'
import type { ChatAuth, ChatUser } from '../types'
import { asRecord, errorFromResponse, requestJson } from './http'
import type { HttpOptions } from './http'
import { destroyedError, notAuthenticated, sessionExpired } from './errors'
import type { AuthMachine } from './phase'
import type { RefreshBackoff } from './refresh-backoff'
import type { RefreshTimer } from './refresh-timer'
import type { SessionChanges } from './session-changes'
import { normaliseUser } from './session'
import type { Session, SessionFactory } from './session'
import type { StoredSession } from './stored-session'
import type { TabChannel } from './tab-channel'

export interface SessionCommandDeps {
  http: HttpOptions
  /** REST base, without a trailing slash. */
  apiUrl: string
  machine: AuthMachine
  sessions: SessionFactory
  stored: StoredSession
  changes: SessionChanges
  backoff: RefreshBackoff
  timer: RefreshTimer
  tabs: TabChannel
  getAccessToken: () => Promise<string>
  refresh: () => Promise<void>
  onLogout: (() => void) | undefined
  now: () => number
}

export function createSessionCommands(deps: SessionCommandDeps): Pick<ChatAuth, 'login' | 'logout' | 'me' | 'setTokens'> {
  const { http, apiUrl, machine, sessions, stored, changes, backoff, timer, tabs, getAccessToken, refresh, onLogout, now } = deps

  return {
    async login(email, password) {
      if (machine.destroyed()) throw destroyedError()
      const response = await requestJson(http, { method: 'POST', url: `${apiUrl}/api/auth/login/`, body: { email, password }, label: 'login' })
      const body = asRecord(response.body)
      if (response.status === 401)
        throw new ChatError('invalid_credentials', 'Wrong email or password', { status: 401, details: body ?? undefined })
      if (!response.ok) throw errorFromResponse(response, 'login')
      const tokens = asRecord(body?.tokens)
      let next: Session | null = null
      try {
        const access = tokens?.access as string
        next = sessions.make({ access, refresh: tokens?.refresh as string | undefined }, normaliseUser(body?.user, sessions.userIdOf(access)), 'fresh')
      }
      catch {
        // Reported below as an unexpected response.
      }
      const user = next?.user
      if (!next || !user) throw new ChatError('http', 'login: unexpected response', { status: response.status })
      if (machine.destroyed()) throw destroyedError()
      changes.replace(next)
      backoff.noteArrival(next)
      timer.schedule()
      return user
    },

    async logout() {
      stored.remove()
      if (machine.destroyed()) return
      changes.end('signedOut')
      tabs.post('logout')
      onLogout?.()
    },

    async me() {
      let token = await getAccessToken()
      const call = (bearer: string) => requestJson(http, { method: 'GET', url: `${apiUrl}/api/auth/me/`, token: bearer, label: 'me' })
      let response = await call(token)
      if (response.status === 401) {
        await refresh()
        const current = machine.session()
        if (!current) throw notAuthenticated()
        token = current.access
        response = await call(token)
        if (response.status === 401) {
          const error = sessionExpired(401)
          changes.reject(error, current.refresh, token)
          throw error
        }
      }
      if (!response.ok) throw errorFromResponse(response, 'me')
      const user = normaliseUser(response.body)
      if (!user) throw new ChatError('http', 'me: unexpected response', { status: response.status })
      const current = machine.session()
      if (current && current.access === token && current.userId === user.id && !machine.destroyed()) {
        const next = { ...current, user }
        machine.transition('profile', next)
        stored.save(next)
        machine.publish()
        tabs.post('tokens')
      }
      return user
    },

    setTokens(tokens, user?: ChatUser) {
      if (machine.destroyed()) throw destroyedError()
      const tokenUserId = sessions.userIdOf(tokens?.access)
      const normalised = user === undefined ? null : normaliseUser(user, tokenUserId)
      if (normalised && tokenUserId !== null && normalised.id !== tokenUserId)
        throw new ChatError('validation', 'setTokens: user.id is not the token\'s user')
      changes.replace(sessions.make(tokens, normalised, undefined, now()))
    },
  }
}
