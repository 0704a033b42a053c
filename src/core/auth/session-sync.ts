/**
 * One session across memory, storage and tabs. Every change that reaches beyond memory (new
 * tokens, a login, a profile, a sign-out, a rejection) moves the state machine, stores what other
 * tabs and a reload must find and tells the other tabs; what other tabs store is adopted here.
 *
 * Tabs share a session exactly when they share storage: a BroadcastChannel message ("tokens",
 * "logout", "unauthorized") only says "re-read storage" and never carries a token.
 */
import type { BroadcastChannelLike } from '../cross-tab'
import type { ChatError } from '../errors'
import type { AuthEnv } from './env'
import { sessionExpired } from './errors'
import { asRecord } from './http'
import type { AuthMachine } from './phase'
import type { RefreshSchedule } from './refresh-schedule'
import type { Session, SessionFactory } from './session'
import type { StoredSession } from './stored-session'

/** What a message to the other tabs says happened: new tokens (or a login), a logout, a rejected session. */
export type TabMessage = 'tokens' | 'logout' | 'unauthorized'

/** The session's agreement with storage and the other tabs. */
export interface SessionSync {
  /** Make memory agree with storage. `message`: the other tab's that prompted it (none: a local check). */
  sync(message?: TabMessage): void
  /** Take `next` (from a refresh of `rotated`) as the session. */
  commit(next: Session, rotated: string): void
  /**
   * Take a session from login or setTokens: memory at once, storage under the refresh lock, so a
   * refresh in flight in another tab lands first and cannot overwrite it afterwards.
   */
  replace(next: Session): void
  /** Same tokens, a newer profile. */
  profile(next: Session): void
  /** `logout()` here: forget the session and tell the other tabs (storage is already cleared). */
  signOut(): void
  /**
   * Terminal: the server rejected the session. Storage is cleared only if it still holds what
   * failed (another tab may have stored a newer session); a token-free tombstone takes its place
   * so tabs that read storage before the broadcast arrives learn why the session is gone.
   */
  reject(error: ChatError, failedRefresh: string | undefined, failedAccess: string | undefined): void
  /** Resolve `true` as soon as `check()` holds (checked on each message and every 50 ms), `false` after `ms` or on close. */
  waitFor(check: () => boolean, ms: number): Promise<boolean>
  /** After the machine is destroyed: close the channel; pending waits resolve `false`. */
  close(): void
}

/** `channel`: `null` without one (no cross-tab, no BroadcastChannel). `onLogout`: the user signed out, here or in another tab. */
export function createSessionSync(
  env: AuthEnv,
  machine: AuthMachine,
  stored: StoredSession,
  sessions: SessionFactory,
  schedule: RefreshSchedule,
  channel: BroadcastChannelLike | null,
  onLogout: (() => void) | undefined,
): SessionSync {
  const { instanceId, scheduler, lock, events } = env
  const waiters = new Set<() => void>()
  /** Set by replace until its storage write, made under the refresh lock, has happened. */
  let pendingWrite: Session | null = null

  function post(type: TabMessage): void {
    try {
      channel?.postMessage({ type, from: instanceId })
    }
    catch {
      // A closed or broken channel only costs cross-tab promptness; storage stays the truth.
    }
  }

  const wake = (): void => {
    for (const waiter of [...waiters]) waiter()
  }

  function end(reason: 'signedOut' | 'rejected'): void {
    machine.transition(reason)
    stored.reset()
    pendingWrite = null
    schedule.cancel()
    machine.publish()
  }

  function sync(message?: TabMessage): void {
    // Our own login or setTokens is about to overwrite what is stored.
    if ((pendingWrite && pendingWrite === machine.session()) || stored.keptForeign()) return
    const found = stored.read()
    const session = machine.session()
    if (!found) {
      if (!session) return
      const reason = stored.vacancy(message)
      if (!reason) return
      end(reason)
      if (reason === 'rejected') events.emit('unauthorized', sessionExpired(401))
      return
    }
    if (session && found.access === session.access && found.refresh === session.refresh) {
      const user = found.user
      if (user && user.id === session.userId && user !== session.user && JSON.stringify(user) !== JSON.stringify(session.user)) {
        machine.transition('profile', { ...session, user })
        machine.publish()
      }
      return
    }
    let next: Session
    try {
      next = sessions.make({ access: found.access, refresh: found.refresh }, found.user ?? null, found.offsetMs, found.receivedAt)
    }
    catch {
      return
    }
    // Another account starts another epoch: nothing in flight for the previous one may land on this one.
    machine.transition('adopted', next)
    stored.reset()
    schedule.schedule()
    machine.publish()
  }

  if (channel) {
    channel.onmessage = (event) => {
      const message = asRecord(event?.data)
      const type = message?.type
      if (!message || message.from === instanceId || machine.destroyed()) return
      if (type !== 'tokens' && type !== 'logout' && type !== 'unauthorized') return
      const signedIn = machine.session() !== null || machine.status() === 'unauthorized'
      sync(type)
      if (type === 'logout' && signedIn && !machine.session()) {
        // An expired session here ends with the other tab's logout too.
        if (machine.status() === 'unauthorized') end('signedOut')
        onLogout?.()
      }
      wake()
    }
  }

  return {
    sync,
    commit(next, rotated) {
      machine.transition('refreshed', next)
      stored.save(next, rotated)
      schedule.schedule()
      machine.publish()
      post('tokens')
    },
    replace(next) {
      machine.transition('signedIn', next)
      pendingWrite = next
      const store = (): void => {
        if (pendingWrite !== next) return
        pendingWrite = null
        if (machine.session() !== next) return
        stored.save(next)
        post('tokens')
      }
      if (lock) {
        // A lock manager that fails still gets the session stored.
        lock(store).catch(store)
      }
      else {
        store()
      }
      schedule.schedule()
      machine.publish()
    },
    profile(next) {
      machine.transition('profile', next)
      stored.save(next)
      machine.publish()
      post('tokens')
    },
    signOut() {
      end('signedOut')
      post('logout')
      onLogout?.()
    },
    reject(error, failedRefresh, failedAccess) {
      if (!machine.can('rejected')) return
      stored.reject(failedRefresh, failedAccess)
      env.log('warn', 'session rejected', { status: error.status })
      end('rejected')
      post('unauthorized')
      events.emit('unauthorized', error)
    },
    waitFor(check, ms) {
      if (check()) return Promise.resolve(true)
      if (ms <= 0) return Promise.resolve(false)
      return new Promise((resolve) => {
        const deadline = scheduler.now() + ms
        let poll: unknown
        const finish = (value: boolean): void => {
          waiters.delete(run)
          if (poll !== undefined) scheduler.clearTimeout(poll)
          resolve(value)
        }
        function run(): void {
          if (machine.destroyed()) return finish(false)
          if (check()) return finish(true)
          if (scheduler.now() >= deadline) return finish(false)
          poll = scheduler.setTimeout(run, Math.min(50, Math.max(1, deadline - scheduler.now())))
        }
        waiters.add(run)
        poll = scheduler.setTimeout(run, Math.min(50, ms))
      })
    },
    close() {
      wake()
      if (!channel) return
      channel.onmessage = null
      try {
        channel.close()
      }
      catch {
        // Already closed.
      }
    },
  }
}
