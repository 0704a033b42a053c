/**
 * In-memory `MessageStore`: what the test server uses unless a real database is plugged in.
 */
import type { MessageStore, StoredMessage } from './types'

function pairKey(a: number, b: number): string {
  return a < b ? `${a}_${b}` : `${b}_${a}`
}

/**
 * Create an empty in-memory message store. Reads and writes resolve asynchronously, like a
 * database would, so the join-before-history gap of real servers exists here too.
 *
 * @example
 * const store = createMemoryStore()
 * const server = await createChatServer({ store })
 */
export function createMemoryStore(): MessageStore {
  const conversations = new Map<string, StoredMessage[]>()
  let nextId = 1
  return {
    async append(message) {
      const stored: StoredMessage = { ...message, id: nextId++ }
      const key = pairKey(message.sender_id, message.reciever_id)
      const list = conversations.get(key)
      if (list)
        list.push(stored)
      else
        conversations.set(key, [stored])
      return { ...stored }
    },
    async list(a, b) {
      return (conversations.get(pairKey(a, b)) ?? []).map(m => ({ ...m }))
    },
  }
}
