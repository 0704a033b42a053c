/**
 * The session as persisted: reading, writing and repairing the stored token pair, the token-free
 * records that take its place, the refresh tokens this tab has spent, and the owner check (does a
 * record storage kept belong to this tab?). When storage refuses this tab's session, it lives in
 * this tab's memory alone and storage is never left holding a revoked pair.
 */
import { ChatError } from '../errors'
import { readItem, removeItem, tryReadItem, writeItem } from '../persistence/safe-storage'
import type { ChatUser, StorageAdapter } from '../types'
import type { AuthEnv } from './env'
import { asRecord } from './http'
import { tryReadClaims } from './jwt'
import type { AuthTransition } from './phase'
import { normaliseUser } from './session'
import type { Session } from './session'
import type { TabMessage } from './session-sync'

/** The session as stored (JSON under the auth key). */
export interface StoredAuth {
  access: string
  refresh?: string
  user?: ChatUser | null
  /** Local minus server clock, measured when the token was issued. */
  offsetMs?: number
  receivedAt?: number
}

/**
 * Token-free records that take the session's place in storage: `unauthorized` (the server rejected
 * it), `unpersisted` (tab `by` holds a newer session that storage refused; what was stored is stale).
 */
type EndedRecord = { ended: 'unauthorized' } | { ended: 'unpersisted'; by: string }

type StoredRecord = Record<string, unknown> | null | undefined

/** The stored session of one controller. */
export interface StoredSession {
  /** The stored session; `null` when there is none (an unreadable one is removed). */
  read(): StoredAuth | null
  /**
   * Store `next`; `rotated`: the refresh token it replaces (revoked by the rotation). A refusal is
   * reported and leaves a token-free marker rather than the revoked pair.
   */
  save(next: Session, rotated?: string): void
  remove(): void
  /** The server rejected the session: a tombstone replaces it if storage still holds what failed. */
  reject(failedRefresh: string | undefined, failedAccess: string | undefined): void
  /**
   * No session is stored while this tab holds one: `undefined` when this tab keeps it (storage
   * refused it, and no other tab has moved on), else how it ended. `message`: the other tab's, if any.
   */
  vacancy(message?: TabMessage): Extract<AuthTransition, 'signedOut' | 'rejected'> | undefined
  /** Storage still holds what it held when it refused this tab's session (another tab's, left alone). */
  keptForeign(): boolean
  /** Storage still holds the pair `access` / `refresh` (or, for a session in memory only, what it did). */
  unchanged(access: string, refresh: string | undefined): boolean
  /** Storage still holds the session refreshed with `used` (or this tab's memory-only marker). */
  holds(used: string): boolean
  /** Storage holds a refresh token other than `used`: another tab rotated first. */
  rotatedElsewhere(used: string | undefined): boolean
  /** Memory and storage agree again (a stored session was adopted, or the session ended). */
  reset(): void
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

function storedOf(next: Session): StoredAuth {
  return { access: next.access, refresh: next.refresh, user: next.user, offsetMs: next.timing.offsetMs, receivedAt: next.receivedAt }
}

/** The session under `key` in `storage`; `current`: the session this tab holds. */
export function createStoredSession(env: AuthEnv, storage: StorageAdapter, key: string, current: () => Session | null): StoredSession {
  const { instanceId } = env
  /** The session lives in this tab's memory only (storage refused it). */
  let unpersisted = false
  /** The stored record (raw) that storage kept when it refused this tab's session; `null`: a marker or nothing. */
  let leftStored: string | null = null
  /** Refresh tokens this tab rotated away: the server revoked them, so a stored copy is stale. */
  const spent = new Set<string>()

  /** The stored record: `undefined` when there is none (or storage throws), `null` when unreadable. */
  function readRecord(): StoredRecord {
    const raw = tryReadItem(storage, key)
    // A storage that throws on read tells nothing new: it is taken to hold what this tab holds,
    // so a blocked storage never signs the user out (and drops the unsent messages with the session).
    if (raw === undefined) {
      const session = current()
      return session ? { ...storedOf(session) } : undefined
    }
    if (raw === null) return undefined
    try {
      return asRecord(JSON.parse(raw))
    }
    catch {
      return null
    }
  }

  function read(): StoredAuth | null {
    const record = readRecord()
    if (record === undefined || typeof record?.ended === 'string') return null
    if (!record || typeof record.access !== 'string' || !tryReadClaims(record.access)) {
      remove()
      env.log('warn', 'unreadable session dropped')
      return null
    }
    const { access, refresh, offsetMs, receivedAt } = record
    if (typeof refresh === 'string' && spent.has(refresh)) {
      // A pair this tab rotated away, left behind by a write storage refused: revoked, never adopted.
      const session = current()
      if (!session) return null
      if (write(storedOf(session))) unpersisted = false
      return storedOf(session)
    }
    return {
      access,
      refresh: typeof refresh === 'string' ? refresh : undefined,
      user: normaliseUser(record.user),
      offsetMs: finite(offsetMs),
      receivedAt: finite(receivedAt),
    }
  }

  /**
   * Store `value` as JSON; `false` when storage refused it (quota, private mode). With `evict`, a
   * refused write removes the previous value and is retried once, since that value may be what
   * filled the quota: only for a value that is stale or this tab's own.
   */
  function write(value: StoredAuth | EndedRecord, evict = true): boolean {
    const text = JSON.stringify(value)
    if (writeItem(storage, key, text)) return true
    if (!evict) return false
    removeItem(storage, key)
    return writeItem(storage, key, text)
  }

  function remove(): void {
    // Storage that cannot remove cannot hold our tokens either.
    removeItem(storage, key)
  }

  /** `record` is the marker this tab left when storage refused its session (or nothing is stored). */
  function ownsMarker(record: StoredRecord): boolean {
    return unpersisted && leftStored === null && (record === undefined || (record?.ended === 'unpersisted' && record.by === instanceId))
  }

  /** The record left in storage held this tab's own refresh token (only the profile was refused): a marker replacing it means another tab rotated it. */
  function keptOwnPair(): boolean {
    try {
      return leftStored !== null && asRecord(JSON.parse(leftStored))?.refresh === current()?.refresh
    }
    catch {
      return false
    }
  }

  function keptForeign(): boolean {
    return unpersisted && leftStored !== null && readItem(storage, key) === leftStored
  }

  function rotatedElsewhere(used: string | undefined): boolean {
    const stored = read()
    return !!stored && stored.refresh !== undefined && stored.refresh !== used
  }

  return {
    read,
    remove,
    keptForeign,
    rotatedElsewhere,
    save(next, rotated) {
      if (rotated !== undefined && next.refresh !== rotated) spent.add(rotated)
      const record = readRecord()
      // Only a record that is stale (the rotated pair) or this tab's own marker may be displaced by a
      // refused write: after a login, setTokens or a profile update it is a session other tabs may still use.
      const stale = ownsMarker(record) || (rotated !== undefined && record?.refresh === rotated)
      leftStored = null
      if (write(storedOf(next), stale)) {
        unpersisted = false
        return
      }
      unpersisted = true
      if (stale) {
        // Other tabs and a reload find a token-free marker (or nothing), never the revoked pair.
        if (!write({ ended: 'unpersisted', by: instanceId })) remove()
      }
      else {
        leftStored = readItem(storage, key)
      }
      const message = 'Session not saved (storage full?): it lasts until this tab closes'
      env.log('warn', message)
      env.events.emit('error', new ChatError('storage_write_failed', message))
    },
    reject(failedRefresh, failedAccess) {
      const stored = read()
      const failedHere = stored ? stored.refresh === failedRefresh || stored.access === failedAccess : ownsMarker(readRecord())
      if (failedHere && !write({ ended: 'unauthorized' })) remove()
    },
    vacancy(message) {
      const record = readRecord()
      if (ownsMarker(record) && (record !== undefined || message === undefined)) return
      if (unpersisted && record?.ended === 'unpersisted' && !keptOwnPair()) {
        // Another tab's session is memory-only too: the record it replaced was stale, ours is not.
        leftStored = readItem(storage, key)
        return
      }
      return message === 'unauthorized' || record?.ended === 'unauthorized' ? 'rejected' : 'signedOut'
    },
    unchanged(access, refresh) {
      const stored = read()
      return keptForeign() || (stored ? stored.access === access && stored.refresh === refresh : ownsMarker(readRecord()))
    },
    holds: used => ownsMarker(readRecord()) || keptForeign() || read()?.refresh === used,
    reset() {
      unpersisted = false
      leftStored = null
    },
  }
}
