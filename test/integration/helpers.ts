/**
 * Shared helpers for the runtime integration tests: real test server, real `ws` sockets, and
 * event-driven waits that fail with a clear message on timeout.
 */
import { afterEach } from 'vitest'
import WebSocket from 'ws'
import { createChatClient, type CreateChatClientOptions } from '../../src/core/client'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import type { ChatClient, ConnectionStatus, Conversation, ConversationSnapshot, Scheduler, StorageAdapter, WebSocketConstructor } from '../../src/core/types'
import { createChatServer } from '../../src/testing'
import type { ChatServer, ChatServerOptions, StoredMessage } from '../../src/testing'

export const USERS = {
  student: { id: 1, email: 'student@example.com', password: 'student123' },
  parent: { id: 2, email: 'parent@example.com', password: 'parent123' },
  parent2: { id: 3, email: 'parent2@example.com', password: 'parent234' },
} as const

export const NodeWebSocket = WebSocket as unknown as WebSocketConstructor

export function startServer(options: ChatServerOptions = {}): Promise<ChatServer> {
  return createChatServer({ handshakeRejectDelayMs: 20, ...options })
}

/** Test defaults: fast backoff and replay end, so faults settle in milliseconds. */
export function makeClient(server: ChatServer, options: CreateChatClientOptions = {}): ChatClient {
  return createChatClient({
    baseUrl: server.url,
    WebSocket: NodeWebSocket,
    storage: createMemoryStorage(),
    crossTab: false,
    replayQuietMs: 60,
    reconnect: { baseDelayMs: 20, maxDelayMs: 150 },
    ...options,
  })
}

export async function loggedIn(server: ChatServer, who: keyof typeof USERS, options: CreateChatClientOptions = {}): Promise<ChatClient> {
  const client = makeClient(server, options)
  await client.auth.login(USERS[who].email, USERS[who].password)
  return client
}

/** Resolve when `predicate(snapshot)` holds; re-checked on every change notification. */
export function until(conv: Conversation, predicate: (s: ConversationSnapshot) => boolean, what = 'condition', timeoutMs = 10_000): Promise<ConversationSnapshot> {
  return new Promise((resolve, reject) => {
    if (predicate(conv.getSnapshot())) {
      resolve(conv.getSnapshot())
      return
    }
    const timer = setTimeout(() => {
      off()
      const s = conv.getSnapshot()
      reject(new Error(`timed out waiting for ${what}; status=${s.status} messages=${JSON.stringify(s.messages.map(m => [m.content, m.status]))}`))
    }, timeoutMs)
    const off = conv.subscribe(() => {
      const s = conv.getSnapshot()
      if (predicate(s)) {
        clearTimeout(timer)
        off()
        resolve(s)
      }
    })
  })
}

import { waitFor } from '../support/wait'

export { waitFor }

export const live = (s: ConversationSnapshot): boolean => s.status === 'live'
export const settled = (s: ConversationSnapshot): boolean => s.status === 'live' && !s.hasPending

/** `[senderId, content]` pairs of a timeline, for comparison with the server's log. */
export function shape(s: ConversationSnapshot): Array<[string, string]> {
  return s.messages.map(m => [m.senderId, m.content])
}

export function logShape(log: readonly StoredMessage[]): Array<[string, string]> {
  return log.map(m => [String(m.sender_id), m.content])
}

export { createManualSignals } from '../../src/testing'

/** The machine's wall clock as a test steps it: real timers, `now()` moved by `offset`. */
export function steppedClock(): Scheduler & { offset: number } {
  const clock = {
    offset: 0,
    now: () => Date.now() + clock.offset,
    setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
    clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  }
  return clock
}

/** A `ws` socket counting the server's protocol pings: a clock that proves time passed on one socket. */
export class PingCountingSocket extends WebSocket {
  static last: PingCountingSocket | null = null
  pings = 0
  constructor(url: string) {
    super(url)
    PingCountingSocket.last = this
    this.on('ping', () => {
      this.pings++
    })
  }
}

/** Resolve once `socket` has seen enough pings (every `pingMs`) that more than `ms` passed since the call. */
export function pingsSpanning(socket: PingCountingSocket, ms: number, pingMs: number): Promise<void> {
  const target = socket.pings + Math.ceil(ms / pingMs) + 1
  return waitFor(() => socket.pings >= target, `${target} pings`)
}

/** Epoch ms of every status change of `conv`, in order. */
export function statusTimes(conv: Conversation): Array<[ConnectionStatus, number]> {
  const seen: Array<[ConnectionStatus, number]> = []
  conv.on('status', st => seen.push([st, Date.now()]))
  return seen
}

export type { StorageAdapter }

/**
 * Per-test server and clients: `boot()` starts the test server, `track()` registers a client;
 * clients are destroyed and the server closed after each test.
 */
export function clientFixture() {
  let server: ChatServer | undefined
  const clients: ChatClient[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy()
    await server?.close()
    server = undefined
  })
  return {
    async boot(options: ChatServerOptions = {}): Promise<ChatServer> {
      server = await startServer(options)
      return server
    },
    track(client: ChatClient): ChatClient {
      clients.push(client)
      return client
    },
  }
}
