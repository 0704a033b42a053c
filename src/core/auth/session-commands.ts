/**
 * The public commands that start, update or end a session: `login`, `setTokens` (apps with their
 * own login), `me` (the profile, which also proves the token) and `logout`.
 */
import { ChatError } from '../errors'
import type { ChatAuth, ChatUser } from '../types'
import { asRecord, errorFromResponse, requestJson } from './http'
import type { AuthEnv } from './env'
import { destroyedError, notAuthenticated, sessionExpired } from './errors'
import type { AuthMachine } from './phase'
import type { RefreshRunner } from './refresh-runner'
import type { RefreshSchedule } from './refresh-schedule'
import { normaliseUser } from './session'
import type { Session, SessionFactory } from './session'
import type { SessionSync } from './session-sync'
import type { StoredSession } from './stored-session'

/** The commands of the public `ChatAuth`; they change the session only through `sync`. */
export function createSessionCommands(
  env: AuthEnv,
  machine: AuthMachine,
  sessions: SessionFactory,
  stored: StoredSession,
  sync: SessionSync,
  schedule: RefreshSchedule,
  { getAccessToken, refresh }: RefreshRunner,
): Pick<ChatAuth, 'login' | 'logout' | 'me' | 'setTokens'> {
  const { http, apiUrl } = env

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
      sync.replace(next)
      schedule.noteArrival(next)
      schedule.schedule()
      return user
    },

    async logout() {
      stored.remove()
      if (!machine.destroyed()) sync.signOut()
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
          sync.reject(error, current.refresh, token)
          throw error
        }
      }
      if (!response.ok) throw errorFromResponse(response, 'me')
      const user = normaliseUser(response.body)
      if (!user) throw new ChatError('http', 'me: unexpected response', { status: response.status })
      const current = machine.session()
      if (current && current.access === token && current.userId === user.id && !machine.destroyed()) {
        sync.profile({ ...current, user })
      }
      return user
    },

    setTokens(tokens, user?: ChatUser) {
      if (machine.destroyed()) throw destroyedError()
      const tokenUserId = sessions.userIdOf(tokens?.access)
      const normalised = user === undefined ? null : normaliseUser(user, tokenUserId)
      if (normalised && tokenUserId !== null && normalised.id !== tokenUserId)
        throw new ChatError('validation', 'setTokens: user.id is not the token\'s user')
      sync.replace(sessions.make(tokens, normalised, undefined, env.now()))
    },
  }
}
