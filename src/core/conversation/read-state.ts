/**
 * Read persistence of one user's conversation: the own read marker (peer messages read) and the
 * peer's read receipts (own messages the peer read), each a count stored per user and peer.
 */
import type { OutboxStore } from '../persistence/outbox'
import type { OwnerLease } from '../persistence/owner-lease'
import { readItem, writeItem } from '../persistence/safe-storage'
import type { Timeline } from '../timeline/timeline'
import type { StorageAdapter } from '../types'

/** Saves the two counts when they changed (a passive client writes nothing). */
export interface ReadState {
  saveRead(count: number): void
  savePeerRead(count: number): void
}

/** Applies the counts stored under `readKey` and `peerReadKey` to `timeline`. */
export function createReadState(storage: StorageAdapter, readKey: string, peerReadKey: string, lease: OwnerLease, outbox: OutboxStore, timeline: Timeline): ReadState {
  const stored = Number(readItem(storage, readKey))
  const valid = Number.isInteger(stored) && stored > 0
  if (valid) timeline.setReadCount(stored)
  /** The read marker last written (`-1`: none yet). */
  let read = valid ? stored : -1
  timeline.setPeerReadCount(Number(readItem(storage, peerReadKey)))
  /** The peer-read count last written. */
  let peerRead = timeline.peerReadCount
  return {
    saveRead(count) {
      if (count !== read && !lease.passive && writeItem(storage, readKey, String(count))) {
        read = count
        outbox.index()
      }
    },
    savePeerRead(count) {
      if (count === peerRead || lease.passive) return
      peerRead = count
      if (writeItem(storage, peerReadKey, String(count))) outbox.index()
    },
  }
}
