/**
 * The per-user index of stored conversation data, so that a logout removes everything the user
 * left in storage (outbox, read marker, receipts) without enumerating the storage.
 */
import { readItem, removeItem, writeItem } from './safe-storage'
import type { StorageKeys } from './storage-keys'
import type { StorageAdapter, UserId } from './types'

function peersOf(storage: StorageAdapter, keys: StorageKeys, self: UserId): string[] {
  try {
    const parsed: unknown = JSON.parse(readItem(storage, keys.peers(self)) ?? '[]')
    return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string') : []
  }
  catch {
    return []
  }
}

/** Remember that `self` may store data for `peerId` (one write per new peer). */
export function indexPeer(storage: StorageAdapter, keys: StorageKeys, self: UserId, peerId: UserId): void {
  const peers = peersOf(storage, keys, self)
  if (!peers.includes(peerId)) writeItem(storage, keys.peers(self), JSON.stringify([...peers, peerId]))
}

/** Remove every conversation key of `self` listed in its index, then the index. */
export function clearUserData(storage: StorageAdapter, keys: StorageKeys, self: UserId): void {
  for (const peerId of peersOf(storage, keys, self)) {
    removeItem(storage, keys.outbox(self, peerId))
    removeItem(storage, keys.read(self, peerId))
    removeItem(storage, keys.peerRead(self, peerId))
  }
  removeItem(storage, keys.peers(self))
}
