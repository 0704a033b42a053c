/**
 * The history cache on disk: the confirmed messages of one conversation, read before the socket
 * opens and rewritten after replays, through an async key-value adapter. Never throws: a store that
 * fails or holds something foreign costs the cache, not the conversation.
 */
import type { HistoryFrame } from '../transport/protocol'
import type { ChatLogger, UserId } from '../types'

/**
 * An async key-value store for the history cache. `createIndexedDbHistoryCache()` (browsers) and
 * `createMemoryHistoryCache()` (Node, tests) implement it; any store with these four calls will do.
 * Values are plain objects of strings, numbers and arrays (structured-clone and JSON safe).
 */
export interface HistoryCacheAdapter {
  get(key: string): Promise<unknown>
  set(key: string, value: unknown): Promise<void>
  del(key: string): Promise<void>
  /** Every key in the store (used to remove one user's conversations at logout). */
  keys(): Promise<string[]>
}

/** An adapter that keeps values in memory (one per client unless shared on purpose). */
export function createMemoryHistoryCache(): HistoryCacheAdapter {
  const map = new Map<string, unknown>()
  return {
    get: async key => map.get(key),
    set: async (key, value) => void map.set(key, value),
    del: async key => void map.delete(key),
    keys: async () => [...map.keys()],
  }
}

/** One cached message: sender, text, server time (epoch ms), read flag as the server sent it. */
type CachedRow = [sender: string, content: string, time: number, read: 0 | 1]

/** What one key holds. `v` changes when the shape does; other versions are dropped, not migrated. */
interface CachedConversation {
  v: 1
  user: string
  peer: string
  rows: CachedRow[]
}

const VERSION = 1

/** The key prefix of one user's cached conversations (`prefix` is the client's `storageKey`). */
export function historyKeyPrefix(prefix: string, self: UserId): string {
  return `${prefix}:history:${self}:`
}

/** The key of one cached conversation. */
export function historyKey(prefix: string, self: UserId, peer: UserId): string {
  return historyKeyPrefix(prefix, self) + peer
}

function isRow(row: unknown, self: string, peer: string): row is CachedRow {
  return Array.isArray(row) && row.length === 4
    && (row[0] === self || row[0] === peer)
    && typeof row[1] === 'string'
    && typeof row[2] === 'number' && Number.isFinite(row[2])
    && (row[3] === 0 || row[3] === 1)
}

/** Decode what a key held; `null` for anything that is not this user's conversation with this peer. */
export function decodeCachedHistory(value: unknown, self: UserId, peer: UserId): HistoryFrame[] | null {
  if (typeof value !== 'object' || value === null) return null
  const v = value as Partial<CachedConversation>
  if (v.v !== VERSION || v.user !== self || v.peer !== peer || !Array.isArray(v.rows)) return null
  const frames: HistoryFrame[] = []
  let last = -Infinity
  for (const row of v.rows) {
    // Rows are in server order; one out of order means the value was not written by us.
    if (!isRow(row, self, peer) || row[2] < last) return null
    last = row[2]
    frames.push({
      kind: 'history',
      senderId: row[0],
      receiverId: row[0] === self ? peer : self,
      content: row[1],
      timestamp: new Date(row[2]).toISOString(),
      time: row[2],
      isRead: row[3] === 1,
    })
  }
  return frames
}

/** Encode the newest `maxMessages` confirmed messages for storage. */
export function encodeCachedHistory(frames: readonly HistoryFrame[], self: UserId, peer: UserId, maxMessages: number): CachedConversation {
  const from = Math.max(0, frames.length - maxMessages)
  const rows: CachedRow[] = []
  for (let i = from; i < frames.length; i++) {
    const f = frames[i]!
    rows.push([f.senderId, f.content, f.time, f.isRead ? 1 : 0])
  }
  return { v: VERSION, user: self, peer, rows }
}

/**
 * Read one conversation's cache. Resolves `null` when there is none, and also when the store fails
 * or holds something else (then the key is removed and the logger warned).
 */
export async function readCachedHistory(adapter: HistoryCacheAdapter, key: string, self: UserId, peer: UserId, logger?: ChatLogger): Promise<HistoryFrame[] | null> {
  let value: unknown
  try {
    value = await adapter.get(key)
  }
  catch (error) {
    logger?.warn?.('[history-cache] unreadable; opening without it', { key, error: String(error) })
    return null
  }
  if (value === undefined || value === null) return null
  const frames = decodeCachedHistory(value, self, peer)
  if (frames === null) {
    logger?.warn?.('[history-cache] dropped an entry that is corrupted or not this conversation\'s', { key })
    adapter.del(key).catch(() => {})
  }
  return frames
}

/** Remove every cached conversation of one user. Never rejects. */
export async function clearCachedHistory(adapter: HistoryCacheAdapter, prefix: string, self: UserId): Promise<void> {
  try {
    const start = historyKeyPrefix(prefix, self)
    const keys = (await adapter.keys()).filter(k => typeof k === 'string' && k.startsWith(start))
    await Promise.all(keys.map(k => adapter.del(k)))
  }
  catch {
    // A store that cannot list or delete keeps its entries; they stay readable only by this user.
  }
}

/**
 * Writes one conversation's cache: at most one write in flight, and a request made while one is
 * in flight is merged into the next, so a burst of changes costs at most two writes.
 */
export class HistoryCacheWriter {
  readonly #adapter: HistoryCacheAdapter
  readonly #key: string
  readonly #encode: () => CachedConversation | null
  readonly #logger: ChatLogger | undefined
  #inFlight: Promise<void> | null = null
  #again = false
  #closed = false
  #warned = false
  /** Writes made (for tests and devtools). */
  writes = 0

  /** `encode` is called at write time and returns `null` when there is nothing to write. */
  constructor(adapter: HistoryCacheAdapter, key: string, encode: () => CachedConversation | null, logger?: ChatLogger) {
    this.#adapter = adapter
    this.#key = key
    this.#encode = encode
    this.#logger = logger
  }

  /** Ask for a write of the current state. */
  request(): void {
    if (this.#closed) return
    if (this.#inFlight) {
      this.#again = true
      return
    }
    this.#inFlight = this.#write().finally(() => {
      this.#inFlight = null
      if (this.#again && !this.#closed) {
        this.#again = false
        this.request()
      }
    })
  }

  /** Resolves when no write is in flight or requested. */
  async idle(): Promise<void> {
    while (this.#inFlight) await this.#inFlight
  }

  /** No more writes (the conversation was released, or its user logged out). */
  close(): void {
    this.#closed = true
    this.#again = false
  }

  async #write(): Promise<void> {
    const value = this.#encode()
    if (value === null) return
    try {
      await this.#adapter.set(this.#key, value)
      this.writes++
    }
    catch (error) {
      // Quota or a blocked store: the cache is only a speed-up, so warn once and go on.
      if (!this.#warned) this.#logger?.warn?.('[history-cache] write failed; the cache stays as it was', { key: this.#key, error: String(error) })
      this.#warned = true
    }
  }
}
