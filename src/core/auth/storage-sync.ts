/**
 * Memory follows storage: another tab (or an earlier page) may have rotated, replaced or cleared
 * the tokens. Tabs share a session exactly when they share storage; a message from another tab
 * only says when to look.
 */
import type { Emitter } from '../emitter'
import type { ChatAuthEvents } from '../types'
import { sessionExpired } from './errors'
import type { AuthMachine } from './phase'
import type { RefreshTimer } from './refresh-timer'
import type { SessionChanges } from './session-changes'
import type { Session, SessionFactory } from './session'
import type { StoredSession } from './stored-session'
import type { TabMessage } from './tab-channel'

export interface StorageSync {
  /** Make memory agree with storage. `message`: the other tab's that prompted it (none: a local check). */
  sync(message?: TabMessage): void
  /** Another tab's message: re-read storage; its logout signs this tab out too, an expired session included. */
  onMessage(type: TabMessage): void
}

export interface StorageSyncDeps {
  machine: AuthMachine
  stored: StoredSession
  sessions: SessionFactory
  changes: SessionChanges
  timer: RefreshTimer
  events: Emitter<ChatAuthEvents>
  onLogout: (() => void) | undefined
}

export function createStorageSync({ machine, stored, sessions, changes, timer, events, onLogout }: StorageSyncDeps): StorageSync {
  function sync(message?: TabMessage): void {
    if (changes.writing() || stored.keptForeign()) return
    const found = stored.read()
    const session = machine.session()
    if (!found) {
      if (!session) return
      const reason = stored.vacancy(message)
      if (!reason) return
      changes.end(reason)
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
    timer.schedule()
    machine.publish()
  }

  return {
    sync,
    onMessage(type) {
      const signedIn = machine.session() !== null || machine.status() === 'unauthorized'
      sync(type)
      if (type === 'logout' && signedIn && machine.session() === null) {
        // An expired session here ends with the other tab's logout too.
        if (machine.status() === 'unauthorized') changes.end('signedOut')
        onLogout?.()
      }
    },
  }
}
