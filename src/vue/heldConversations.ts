import { watch } from 'vue'
import { tryOnScopeDispose } from '@vueuse/core'
import type { ChatClient, Conversation, UserId } from '../core/index'
import type { ChatStore } from './store'

/**
 * Calls `track` for every conversation the app holds (the store lists them), now and whenever one
 * is acquired; the function `track` returns runs once that conversation is released. Holds nothing
 * itself, so watching never opens a socket. Stops with the current effect scope or the returned stop.
 */
export function trackHeldConversations(
  client: ChatClient,
  store: ChatStore,
  track: (conversation: Conversation) => () => void,
): () => void {
  const tracked = new Map<UserId, () => void>()

  function untrack(id: UserId): void {
    tracked.get(id)?.()
    tracked.delete(id)
  }

  // Sync: a conversation released and acquired again within one tick is a new one with its own events.
  const stop = watch(() => Object.keys(store.conversations), (ids) => {
    for (const id of tracked.keys()) {
      if (!ids.includes(id)) untrack(id)
    }
    for (const id of ids) {
      const conversation = tracked.has(id) ? undefined : client.peek(id)
      if (conversation) tracked.set(id, track(conversation))
    }
  }, { immediate: true, flush: 'sync' })

  const stopAll = (): void => {
    stop()
    for (const id of [...tracked.keys()]) untrack(id)
  }
  tryOnScopeDispose(stopAll)
  return stopAll
}
