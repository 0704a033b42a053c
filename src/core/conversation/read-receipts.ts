/**
 * The read-receipts extension: the peer's receipts applied to own messages (the timeline's
 * `PeerReceipts`), their count persisted per user and peer, and the user's own receipts sent on
 * `markRead()`. Only an app that passes `readReceiptsExtension` bundles any of it.
 */
import type { ReadReceiptsExtension, ReadReceiptsParts } from '../extensions'
import type { OutboxStore } from '../persistence/outbox'
import type { OwnerLease } from '../persistence/owner-lease'
import { readItem, writeItem } from '../persistence/safe-storage'
import { PeerReceipts } from '../timeline/peer-receipts'
import type { Timeline } from '../timeline/timeline'
import { encodeExtension } from '../transport/protocol'
import type { StorageAdapter } from '../types'

/** One user's receipts in one conversation. */
export interface ConversationReceipts {
  /** The peer's receipt arrived: every own message stored so far is read. */
  received(): void
  /** Persist the count when it changed (a passive client writes nothing). */
  save(): void
  /** The user read something unread: tell the peer (`send`: the socket, `false` when not live). */
  read(send: (frame: string) => boolean): void
}

/** Applies the count stored under `key` to `timeline` and saves it there. */
export type ConversationReceiptsFactory = (storage: StorageAdapter, key: string, lease: OwnerLease, outbox: OutboxStore, timeline: Timeline) => ConversationReceipts

const conversation: ConversationReceiptsFactory = (storage, key, lease, outbox, timeline) => {
  timeline.setPeerReadCount(Number(readItem(storage, key)))
  /** The count last written (or restored). */
  let saved = timeline.peerReadCount
  const save = (): void => {
    const count = timeline.peerReadCount
    if (count === saved || lease.passive) return
    saved = count
    if (writeItem(storage, key, String(count))) outbox.index()
  }
  return {
    received() {
      timeline.markReadByPeer()
      save()
    },
    save,
    read: send => void send(encodeExtension('read')),
  }
}

const parts: ReadReceiptsParts = {
  extension: 'readReceipts',
  timeline: (display, marker) => new PeerReceipts(display, marker),
  conversation,
}

/**
 * The read-receipts extension: `extensions: { readReceipts: readReceiptsExtension }` (or
 * `TimelineOptions.readReceipts` for a bare `Timeline`). `markRead()` sends a read frame; the
 * peer's marks own messages stored so far `isRead`, a count persisted per user and peer. Only for
 * servers that accept the frames.
 */
export const readReceiptsExtension: ReadReceiptsExtension = parts
