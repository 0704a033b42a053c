/**
 * What one signed-in user has in a conversation: the timeline rebuilt from storage (unsent messages,
 * read marker, receipts with that extension) and the saving of its outbox. A user switch replaces it whole.
 */
import type { ResolvedOptions } from '../options'
import { OutboxStore } from '../persistence/outbox'
import type { OwnerLease } from '../persistence/owner-lease'
import { storageKeys } from '../persistence/storage-keys'
import { Timeline } from '../timeline/timeline'
import type { UserId } from '../types'
import type { ConversationReceipts } from './read-receipts'
import { createReadState, type ReadState } from './read-state'

/** One user's timeline, outbox and read state in one conversation. */
export interface UserState {
  readonly timeline: Timeline
  readonly outbox: OutboxStore
  readonly reads: ReadState
  /** The peer's read receipts; `null` without the read-receipts extension. */
  readonly receipts: ConversationReceipts | null
  /** The key of what this user's replays showed (see `replay-memory.ts`). */
  readonly replayKey: string
  /** Save the outbox when it changed since the last save that took effect (`retry`: also when that state was refused already). */
  persist(retry?: boolean): void
}

/** `selfId`'s state in the conversation with `peerId`, restored from storage and saved once. */
export function createUserState(selfId: UserId, peerId: UserId, options: ResolvedOptions, lease: OwnerLease, newId: () => string, gapWindowMs: number): UserState {
  const { storage, storageKey } = options
  const keys = storageKeys(storageKey)
  const receipts = options.extensions.readReceipts
  const timeline = new Timeline({ selfId, peerId, now: () => options.scheduler.now(), newId, gapWindowMs, readReceipts: receipts || undefined })
  const outbox = new OutboxStore(storage, storageKey, selfId, peerId, lease)
  const restored = outbox.load()
  if (restored.length > 0) timeline.restore(restored)
  /** `Timeline.outboxVersion()` last persisted; `null`: persist at the next chance. */
  let persisted: string | null = null
  /** The version last tried: a refused one is tried again on the next change, heartbeat or close, not on every call. */
  let tried: string | null = null
  /** The last outbox write was refused. */
  let unsaved = false
  const user: UserState = {
    timeline,
    outbox,
    reads: createReadState(storage, keys.read(selfId, peerId), lease, outbox, timeline),
    receipts: receipts ? receipts.conversation(storage, keys.peerRead(selfId, peerId), lease, outbox, timeline) : null,
    replayKey: keys.replay(selfId),
    persist(retry) {
      const version = timeline.outboxVersion()
      if (version === persisted || (version === tried && !retry)) return
      tried = version
      const saved = outbox.save(timeline.outbox())
      if (saved) persisted = version
      // Reported once per change of state, not per write: a full storage stays full for a while.
      if (saved === unsaved) {
        unsaved = !saved
        if (!saved) options.logger?.warn?.('[conversation] outbox not saved', { key: outbox.key })
      }
    },
  }
  user.persist()
  return user
}
