/**
 * The auth state machine. One phase holds the status and the session together; `transition` is the
 * only way to change it and every change names its reason. The public AuthState is derived from it.
 */
import type { AuthState, AuthStatus } from '../types'
import type { AuthEnv } from './env'
import type { Session } from './session'

/** Status and session together: a session exactly while signed in (authenticated or refreshing). */
export type AuthPhase =
  | { readonly status: 'anonymous' | 'unauthorized'; readonly session: null }
  | { readonly status: 'authenticated' | 'refreshing'; readonly session: Session }

/**
 * Why the phase changes: `signedIn` (login or setTokens here), `adopted` (a session another tab or
 * an earlier page stored), `profile` (same tokens, a newer user), `refreshStarted`, `refreshed` (new
 * tokens), `refreshSettled` (a refresh ended without new tokens), `signedOut` (here or in another
 * tab), `rejected` (the server refused the session, here or in another tab).
 */
export type AuthTransition =
  | 'signedIn'
  | 'adopted'
  | 'profile'
  | 'refreshStarted'
  | 'refreshed'
  | 'refreshSettled'
  | 'signedOut'
  | 'rejected'

/** For each reason, the status it leads to from each status it may leave; any other is refused. */
export const AUTH_TRANSITIONS: { readonly [R in AuthTransition]: Readonly<Partial<Record<AuthStatus, AuthStatus>>> } = {
  signedIn: { anonymous: 'authenticated', authenticated: 'authenticated', refreshing: 'authenticated', unauthorized: 'authenticated' },
  // A refresh in flight stays in flight: its answer is checked against storage when it lands.
  adopted: { anonymous: 'authenticated', authenticated: 'authenticated', refreshing: 'refreshing', unauthorized: 'authenticated' },
  profile: { authenticated: 'authenticated', refreshing: 'refreshing' },
  refreshStarted: { authenticated: 'refreshing' },
  refreshed: { authenticated: 'authenticated', refreshing: 'authenticated' },
  refreshSettled: { refreshing: 'authenticated' },
  signedOut: { anonymous: 'anonymous', authenticated: 'anonymous', refreshing: 'anonymous', unauthorized: 'anonymous' },
  rejected: { anonymous: 'unauthorized', authenticated: 'unauthorized', refreshing: 'unauthorized' },
}

/** The current phase, its transitions and the state published from it. */
export interface AuthMachine {
  /** The session of the current phase, `null` when signed out or rejected. */
  session(): Session | null
  status(): AuthStatus
  /**
   * Counts sessions: it moves on when another one begins (sign-in, sign-out, rejection, another
   * account adopted) and on destroy. Work started in an older epoch drops its result.
   */
  epoch(): number
  destroyed(): boolean
  /** `reason` is allowed from the current phase. */
  can(reason: AuthTransition): boolean
  /**
   * Move to the phase `reason` leads to, with `session` (default: the current one; none when
   * signed out or rejected). `false`, and nothing changes, when the table refuses it or after destroy.
   */
  transition(reason: AuthTransition, session?: Session): boolean
  /** The state last published. */
  state(): AuthState
  /** Derive the public state from the phase and emit it when it changed (once the transition's side effects are done). */
  publish(): void
  /** Refuse every transition from now on. */
  destroy(): void
}

/** Publishes as the `change` event and logs each transition; `onNewEpoch` runs when a transition begins another session. */
export function createAuthMachine(env: AuthEnv, onNewEpoch: () => void): AuthMachine {
  let phase: AuthPhase = { status: 'anonymous', session: null }
  let state: AuthState = Object.freeze({ status: phase.status, user: null, userId: null, expiresAt: null })
  let epoch = 0
  let destroyed = false
  const target = (reason: AuthTransition): AuthStatus | undefined => destroyed ? undefined : AUTH_TRANSITIONS[reason][phase.status]
  return {
    session: () => phase.session,
    status: () => phase.status,
    epoch: () => epoch,
    destroyed: () => destroyed,
    can: reason => !!target(reason),
    transition(reason, session = phase.session ?? undefined) {
      const to = target(reason)
      if (!to) return false
      const from = phase.session
      const next = to === 'anonymous' || to === 'unauthorized' ? null : session
      if (!from || !next || reason === 'signedIn' || (reason === 'adopted' && from.userId !== next.userId)) {
        epoch++
        onNewEpoch()
      }
      env.log('debug', `${phase.status} -> ${to} (${reason})`)
      phase = { status: to, session: next } as AuthPhase
      return true
    },
    state: () => state,
    publish() {
      const { status, session } = phase
      const user = session?.user ?? null
      const userId = session?.userId ?? null
      const expiresAt = session?.timing.expiresAt ?? null
      if (status === state.status && user === state.user && userId === state.userId && expiresAt === state.expiresAt) return
      state = Object.freeze({ status, user, userId, expiresAt })
      env.events.emit('change', state)
    },
    destroy() {
      destroyed = true
      epoch++
    },
  }
}
