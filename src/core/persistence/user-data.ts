/**
 * The per-user index of stored conversation data, so that a logout removes what the user left in
 * storage (outbox, read marker, receipts) without enumerating the storage.
 */
import { readItem, readStringList, removeItem, writeItem } from './safe-storage'
import type { StorageKeys } from './storage-keys'
import type { StorageAdapter, UserId } from '../types'

function peersOf(storage: StorageAdapter, keys: StorageKeys, self: UserId): string[] {
  return readStringList(storage, keys.peers(self))
}

/** Remember that `self` may store data for `peerId` (one write per new peer); `true` once listed. */
export function indexPeer(storage: StorageAdapter, keys: StorageKeys, self: UserId, peerId: UserId): boolean {
  const peers = peersOf(storage, keys, self)
  return peers.includes(peerId) || writeItem(storage, keys.peers(self), JSON.stringify([...peers, peerId]))
}

/**
 * Forget what `self` left in storage: its read markers and receipts, what its replays showed, and
 * the queued messages that `isOurs` says belong to this client or a dead one. Another live client's
 * queued messages stay (a tab signed in with its own session would lose them on reload), and so
 * does the index while any do.
 */
export function clearUserData(storage: StorageAdapter, keys: StorageKeys, self: UserId, isOurs: (owner: string) => boolean): void {
  let kept = false
  for (const peerId of peersOf(storage, keys, self)) {
    const key = keys.outbox(self, peerId)
    const others = outboxOf(storage, key).filter(e => typeof e?.owner !== 'string' || !isOurs(e.owner))
    if (others.length === 0 || !writeItem(storage, key, JSON.stringify(others))) removeItem(storage, key)
    else kept = true
    removeItem(storage, keys.read(self, peerId))
    removeItem(storage, keys.peerRead(self, peerId))
  }
  if (!kept) removeItem(storage, keys.peers(self))
  removeItem(storage, keys.replay(self))
}

function outboxOf(storage: StorageAdapter, key: string): Array<{ owner?: unknown }> {
  try {
    const parsed: unknown = JSON.parse(readItem(storage, key) ?? '[]')
    return Array.isArray(parsed) ? parsed.filter(e => e && typeof e === 'object') as Array<{ owner?: unknown }> : []
  }
  catch {
    return []
  }
}
