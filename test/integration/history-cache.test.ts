import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createMemoryHistoryCache,
  decodeCachedHistory,
  encodeCachedHistory,
  historyKey,
  type HistoryCacheAdapter,
} from '../../src/core/persistence/history-cache'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import type { ChatClient, ConversationSnapshot, StorageAdapter } from '../../src/core/types'
import type { ChatServer } from '../../src/testing'
import { live, loggedIn, makeClient, settled, shape, startServer, until, USERS, waitFor } from './helpers'

/** A memory cache that counts writes and lets a test await the next one (no sleeps). */
function watchedCache(): HistoryCacheAdapter & { writes: number; nextWrite(): Promise<void> } {
  const inner = createMemoryHistoryCache()
  let waiters: Array<() => void> = []
  const cache = {
    ...inner,
    writes: 0,
    async set(key: string, value: unknown) {
      await inner.set(key, value)
      cache.writes++
      const w = waiters
      waiters = []
      for (const f of w) f()
    },
    nextWrite: () => new Promise<void>(resolve => waiters.push(resolve)),
  }
  return cache
}

let server: ChatServer
const clients: ChatClient[] = []
beforeEach(async () => {
  server = await startServer()
})
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy()
  await server.close()
})

const ME = USERS.student.id
const PEER = USERS.parent.id

/** The student's session and cache, as a page that is reloaded keeps them. */
async function firstVisit(cache: HistoryCacheAdapter & { nextWrite(): Promise<void> }, texts: string[]): Promise<StorageAdapter> {
  const storage = createMemoryStorage()
  const parent = await loggedIn(server, 'parent')
  clients.push(parent)
  const p = parent.conversation(ME)
  await until(p, live, 'parent live')
  for (const t of texts) p.send(t)
  await until(p, settled, 'parent sent')
  const student = await loggedIn(server, 'student', { storage, historyCache: { adapter: cache } })
  const written = cache.nextWrite()
  const s = student.conversation(PEER)
  await until(s, x => live(x) && x.messages.length === texts.length, 'student replay')
  await written
  student.destroy()
  return storage
}

function reopen(storage: StorageAdapter, cache: HistoryCacheAdapter, extra: Parameters<typeof makeClient>[1] = {}): ChatClient {
  const c = makeClient(server, { storage, historyCache: { adapter: cache }, ...extra })
  clients.push(c)
  return c
}

describe('history cache (real sockets)', () => {
  it('a reload shows the cached history before the socket has it, and the replay keeps every id', async () => {
    const cache = watchedCache()
    const storage = await firstVisit(cache, ['one', 'two', 'two'])
    // The server takes its time reading the history: the cache is on screen well before.
    server.configure({ historyReadDelayMs: 400 })
    const handshakes = server.stats.handshakes
    const student = reopen(storage, cache)
    const c = student.conversation(PEER)
    const cached = await until(c, s => s.source === 'cache', 'cached history')
    expect(cached.status).not.toBe('live')
    expect(shape(cached)).toEqual([['2', 'one'], ['2', 'two'], ['2', 'two']])
    const seen: ConversationSnapshot[] = []
    const off = c.subscribe(() => seen.push(c.getSnapshot()))
    const after = await until(c, s => live(s) && s.source === 'replay', 'replayed')
    off()
    expect(after.messages.map(m => m.id)).toEqual(cached.messages.map(m => m.id))
    after.messages.forEach((m, k) => expect(m).toBe(cached.messages[k]))
    // Never anything else on screen in between: no flicker, nothing twice.
    for (const s of seen) expect(shape(s)).toEqual(shape(cached))
    expect(server.stats.handshakes - handshakes).toBe(1)
  })

  it('reconciles a cache older than the server and one holding what the server no longer has; never resends from it', async () => {
    const cache = watchedCache()
    const storage = await firstVisit(cache, ['a', 'b'])
    const key = historyKey('vrc', String(ME), String(PEER))
    const frames = decodeCachedHistory(await cache.get(key), String(ME), String(PEER))!
    // A phantom: an own message the server does not hold (it must vanish, not be sent).
    const phantom = { ...frames[0]!, senderId: String(ME), receiverId: String(PEER), content: 'never stored' }
    await cache.set(key, encodeCachedHistory([frames[0]!, phantom, frames[1]!], String(ME), String(PEER), 1000))
    // And the server has one more since.
    const parent = await loggedIn(server, 'parent')
    clients.push(parent)
    const p = parent.conversation(ME)
    await until(p, live)
    p.send('c')
    await until(p, settled)

    server.configure({ historyReadDelayMs: 300 })
    const student = reopen(storage, cache)
    const c = student.conversation(PEER)
    const cached = await until(c, s => s.source === 'cache', 'cached history')
    expect(shape(cached)).toEqual([['2', 'a'], ['1', 'never stored'], ['2', 'b']])
    const after = await until(c, s => settled(s) && s.source === 'replay', 'replayed')
    expect(shape(after)).toEqual([['2', 'a'], ['2', 'b'], ['2', 'c']])
    expect(after.messages[0]!.id).toBe(cached.messages[0]!.id)
    expect(after.messages[1]!.id).toBe(cached.messages[2]!.id)
    expect((await server.log(ME, PEER)).map(m => m.content)).toEqual(['a', 'b', 'c'])
  })

  it('opened offline: the cached history and the queued message after it', async () => {
    const cache = watchedCache()
    const storage = await firstVisit(cache, ['hello'])
    await server.stop()
    const student = reopen(storage, cache)
    const c = student.conversation(PEER)
    await until(c, s => s.source === 'cache', 'cached history')
    expect(c.send('sent while offline').ok).toBe(true)
    const shown = await until(c, s => s.messages.length === 2 && s.status !== 'connecting', 'queued after the cache')
    expect(shown.messages.map(m => [m.content, m.status])).toEqual([['hello', 'sent'], ['sent while offline', 'queued']])
    await server.start()
    const after = await until(c, s => settled(s) && s.messages.length === 2 && s.source === 'replay', 'sent once back online', 15_000)
    expect(after.messages.map(m => [m.content, m.status])).toEqual([['hello', 'sent'], ['sent while offline', 'sent']])
    expect((await server.log(ME, PEER)).map(m => m.content)).toEqual(['hello', 'sent while offline'])
  })

  it('logout removes the user\'s cache; a corrupted entry is dropped with a warning, never thrown', async () => {
    const cache = watchedCache()
    const storage = await firstVisit(cache, ['x'])
    const key = historyKey('vrc', String(ME), String(PEER))
    expect(await cache.get(key)).toBeDefined()
    await cache.set(historyKey('vrc', '99', String(PEER)), { keep: true })

    const warnings: string[] = []
    await cache.set(key, { v: 1, user: String(ME), peer: String(PEER), rows: [['1', 42, 'x', 0]] })
    const student = reopen(storage, cache, { logger: { warn: m => void warnings.push(m) } })
    const c = student.conversation(PEER)
    const after = await until(c, s => live(s) && s.messages.length === 1, 'replay without the cache')
    expect(shape(after)).toEqual([['2', 'x']])
    expect(warnings.some(w => w.includes('history-cache'))).toBe(true)

    await student.auth.logout()
    await waitFor(async () => !(await cache.keys()).includes(key), 'cache removed after logout')
    expect((await cache.keys()).filter(k => k.startsWith(`vrc:history:${ME}:`))).toEqual([])
    expect(await cache.get(historyKey('vrc', '99', String(PEER)))).toEqual({ keep: true })
  })
})
