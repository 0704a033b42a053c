import WebSocket from 'ws'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createMemoryStore } from '../../src/testing'
import type { ChatServer } from '../../src/testing'
import type { ChatClient, ConversationSnapshot, WebSocketConstructor } from '../../src/core/types'
import { live, loggedIn, startServer, until, USERS } from './helpers'

/** A `ws` socket that delivers each message in a task of its own, as a browser does (Node's ws delivers a whole TCP chunk at once). */
class TaskPerMessageSocket extends WebSocket {
  #queue: unknown[][] = []
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'message') return super.emit(event, ...args)
    if (this.#queue.push(args) === 1) setImmediate(() => this.#next())
    return true
  }

  #next(): void {
    const args = this.#queue.shift()
    if (args && this.readyState === WebSocket.OPEN) super.emit('message', ...args)
    if (this.#queue.length > 0) setImmediate(() => this.#next())
  }
}

const N = 5000
let server: ChatServer
let client: ChatClient | undefined

beforeEach(async () => {
  const store = createMemoryStore()
  for (let i = 0; i < N; i++) {
    const mine = i % 2 === 0
    await store.append({ sender_id: mine ? USERS.student.id : USERS.parent.id, reciever_id: mine ? USERS.parent.id : USERS.student.id, content: `m${i % 10}`, createdAt: Date.UTC(2025, 0, 1) + i * 1000, is_read: false })
  }
  server = await startServer({ store })
})
afterEach(async () => {
  client?.destroy()
  await server.close()
})

describe('the first replay of an empty conversation (real sockets)', () => {
  it('is shown as it arrives, in server order, batched, and going live changes no message shown', async () => {
    client = await loggedIn(server, 'student', { WebSocket: TaskPerMessageSocket as unknown as WebSocketConstructor })
    const c = client.conversation(USERS.parent.id)
    const seen: ConversationSnapshot[] = []
    const off = c.subscribe(() => seen.push(c.getSnapshot()))
    const done = await until(c, s => live(s) && s.messages.length === N, 'live with the whole history')
    off()
    const partial = seen.filter(s => s.status === 'syncing' && s.messages.length > 0 && s.messages.length < N)
    expect(partial.length).toBeGreaterThanOrEqual(3)
    // Batched: far fewer notifications than frames.
    expect(seen.length).toBeLessThan(N / 10)
    for (const s of partial) {
      expect(s.source).toBe('replay')
      // Each partial view is the start of the final one, the same objects.
      s.messages.forEach((m, k) => expect(m).toBe(done.messages[k]))
    }
  })
})
