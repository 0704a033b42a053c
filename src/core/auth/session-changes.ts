/**
 * The session changes that reach beyond memory: new tokens from a refresh, a session from login or
 * setTokens, a sign-out, a rejection by the server. Each moves the state machine, stores what
 * other tabs and a reload must find, tells the other tabs and re-arms the refresh timer.
 */
import type { ChatError } from '../errors'
import type { Emitter } from '../emitter'
import type { ChatAuthEvents } from '../types'
import type { AuthMachine } from './phase'
import type { RefreshTimer } from './refresh-timer'
import type { Session } from './session'
import type { StoredSession } from './stored-session'
import type { TabChannel } from './tab-channel'

/** Runs `task` under the cross-tab refresh lock; `null` without Web Locks. */
export type RefreshLock = (<T>(task: () => Promise<T> | T) => Promise<T>) | null

export interface SessionChanges {
  /** Take `next` (from a refresh of `rotated`) as the session. */
  commit(next: Session, rotated: string): void
  /**
   * Take a session from login or setTokens: memory at once, storage under the refresh lock, so a
   * refresh in flight in another tab lands first and cannot overwrite it afterwards.
   */
  replace(next: Session): void
  /** Forget the session here (storage is the caller's business). */
  end(reason: 'signedOut' | 'rejected'): void
  /**
   * Terminal: the server rejected the session. Storage is cleared only if it still holds what
   * failed (another tab may have stored a newer session); a token-free tombstone takes its place
   * so tabs that read storage before the broadcast arrives learn why the session is gone.
   */
  reject(error: ChatError, failedRefresh: string | undefined, failedAccess: string | undefined): void
  /** A login or setTokens here is about to overwrite what is stored: storage is not to be adopted. */
  writing(): boolean
}

export interface SessionChangeDeps {
  machine: AuthMachine
  stored: StoredSession
  timer: RefreshTimer
  tabs: TabChannel
  lock: RefreshLock
  events: Emitter<ChatAuthEvents>
  warn: (message: string, details: Record<string, unknown>) => void
}

export function createSessionChanges({ machine, stored, timer, tabs, lock, events, warn }: SessionChangeDeps): SessionChanges {
  /** Set by replace until its storage write, made under the refresh lock, has happened. */
  let pendingWrite: Session | null = null

  function end(reason: 'signedOut' | 'rejected'): void {
    machine.transition(reason)
    stored.reset()
    pendingWrite = null
    timer.cancel()
    machine.publish()
  }

  return {
    end,
    commit(next, rotated) {
      machine.transition('refreshed', next)
      stored.save(next, rotated)
      timer.schedule()
      machine.publish()
      tabs.post('tokens')
    },
    replace(next) {
      machine.transition('signedIn', next)
      pendingWrite = next
      const store = (): void => {
        if (pendingWrite !== next) return
        pendingWrite = null
        if (machine.session() !== next) return
        stored.save(next)
        tabs.post('tokens')
      }
      if (lock) {
        // A lock manager that fails still gets the session stored.
        lock(store).catch(store)
      }
      else {
        store()
      }
      timer.schedule()
      machine.publish()
    },
    reject(error, failedRefresh, failedAccess) {
      if (!machine.can('rejected')) return
      stored.reject(failedRefresh, failedAccess)
      warn('session rejected', { status: error.status })
      end('rejected')
      tabs.post('unauthorized')
      events.emit('unauthorized', error)
    },
    writing: () => pendingWrite !== null && pendingWrite === machine.session(),
  }
}
