/**
 * The own read marker of one user's conversation (peer messages read), stored as a count per user
 * and peer. The peer's receipts are the read-receipts extension's (`read-receipts.ts`).
 */
import type { OutboxStore } from '../persistence/outbox'
import type { OwnerLease } from '../persistence/owner-lease'
import { readItem, writeItem } from '../persistence/safe-storage'
import type { Timeline } from '../timeline/timeline'
import type { StorageAdapter } from '../types'

/** Saves the marker when it changed (a passive client writes nothing). */
export interface ReadState {
  saveRead(count: number): void
}

/** Applies the count stored under `readKey` to `timeline`. */
export function createReadState(storage: StorageAdapter, readKey: string, lease: OwnerLease, outbox: OutboxStore, timeline: Timeline): ReadState {
  const stored = Number(readItem(storage, readKey))
  const valid = Number.isInteger(stored) && stored > 0
  if (valid) timeline.setReadCount(stored)
  /** The read marker last written (`-1`: none yet). */
  let read = valid ? stored : -1
  return {
    saveRead(count) {
      if (count !== read && !lease.passive && writeItem(storage, readKey, String(count))) {
        read = count
        outbox.index()
      }
    },
  }
}
