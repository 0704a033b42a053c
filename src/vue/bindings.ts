import type { ChatClient, Conversation, ConversationSnapshot, UserId } from '../core/types'
import type { ChatStore } from './store'

/** Ref-counted conversation holds shared by every `useChat()` in one app, mirrored into the store. */
export interface ConversationBindings {
  /** Hold `peerId` (opens the conversation on first hold). */
  acquire(peerId: UserId): Conversation
  /** Drop one hold; the last one releases the conversation and removes it from the store. */
  release(peerId: UserId): void
  /** Copy the conversation's current snapshot into the store now (after an action, not a microtask later). */
  sync(peerId: UserId): void
  /** Number of holds on `peerId`. */
  count(peerId: UserId): number
  /** Release everything (app unmount). */
  destroy(): void
}

interface Held {
  readonly conversation: Conversation
  readonly stop: () => void
  readonly sync: () => void
  count: number
}

export function createBindings(client: ChatClient, store: ChatStore): ConversationBindings {
  const held = new Map<UserId, Held>()

  function acquire(peerId: UserId): Conversation {
    let entry = held.get(peerId)
    if (!entry) {
      const conversation = client.conversation(peerId)
      let last: ConversationSnapshot | undefined
      const sync = (): void => {
        const snapshot = conversation.getSnapshot()
        if (snapshot === last) return
        last = snapshot
        store.applySnapshot(peerId, snapshot)
      }
      entry = { conversation, stop: conversation.subscribe(sync), sync, count: 0 }
      held.set(peerId, entry)
      sync()
    }
    entry.count++
    return entry.conversation
  }

  function drop(peerId: UserId, entry: Held): void {
    held.delete(peerId)
    entry.stop()
    entry.conversation.release()
    store.removeConversation(peerId)
  }

  return {
    acquire,
    release(peerId) {
      const entry = held.get(peerId)
      if (!entry) return
      if (--entry.count <= 0) drop(peerId, entry)
    },
    sync: peerId => held.get(peerId)?.sync(),
    count: peerId => held.get(peerId)?.count ?? 0,
    destroy() {
      for (const [peerId, entry] of [...held]) drop(peerId, entry)
    },
  }
}
