import { describe, expect, it } from 'vitest'
import {
  clearCachedHistory,
  createMemoryHistoryCache,
  decodeCachedHistory,
  encodeCachedHistory,
  historyKey,
  HistoryCacheWriter,
  readCachedHistory,
  type HistoryCacheAdapter,
} from '../../src/core/persistence/history-cache'
import type { HistoryFrame } from '../../src/core/transport/protocol'

const frame = (sender: string, content: string, time: number): HistoryFrame => ({
  kind: 'history', senderId: sender, receiverId: sender === '1' ? '2' : '1', content, timestamp: new Date(time).toISOString(), time, isRead: false,
})

function recordingLogger() {
  const warnings: string[] = []
  return { warnings, logger: { warn: (message: string) => void warnings.push(message) } }
}

describe('history cache encoding', () => {
  it('round-trips confirmed messages, identical texts included, and keeps the newest maxMessages', () => {
    const frames = [frame('1', 'hi', 1000), frame('2', 'hi', 1000), frame('2', 'hi', 1000), frame('1', 'bye', 2000)]
    expect(decodeCachedHistory(encodeCachedHistory(frames, '1', '2', 10), '1', '2')).toEqual(frames)
    expect(decodeCachedHistory(encodeCachedHistory(frames, '1', '2', 2), '1', '2')).toEqual(frames.slice(2))
  })

  it('rejects another user\'s or another peer\'s conversation, other versions and malformed rows', () => {
    const value = encodeCachedHistory([frame('1', 'a', 1)], '1', '2', 10)
    expect(decodeCachedHistory(value, '3', '2')).toBeNull()
    expect(decodeCachedHistory(value, '1', '3')).toBeNull()
    expect(decodeCachedHistory({ ...value, v: 2 }, '1', '2')).toBeNull()
    for (const row of [['9', 'a', 1, 0], ['1', 5, 1, 0], ['1', 'a', Number.NaN, 0], ['1', 'a', 1, 2], ['1', 'a', 1]])
      expect(decodeCachedHistory({ ...value, rows: [row] }, '1', '2')).toBeNull()
    // Out of server order: not something we wrote.
    expect(decodeCachedHistory({ ...value, rows: [['1', 'a', 5, 0], ['2', 'b', 4, 0]] }, '1', '2')).toBeNull()
    for (const junk of [null, 'x', 42, [], { v: 1 }]) expect(decodeCachedHistory(junk, '1', '2')).toBeNull()
  })
})

describe('reading the cache', () => {
  it('drops a corrupted entry with a warning instead of throwing', async () => {
    const adapter = createMemoryHistoryCache()
    const key = historyKey('vrc', '1', '2')
    await adapter.set(key, { v: 1, user: '1', peer: '2', rows: 'nope' })
    const { warnings, logger } = recordingLogger()
    expect(await readCachedHistory(adapter, key, '1', '2', logger)).toBeNull()
    expect(warnings).toHaveLength(1)
    await Promise.resolve()
    expect(await adapter.get(key)).toBeUndefined()
  })

  it('treats a store that fails as no cache', async () => {
    const adapter: HistoryCacheAdapter = { ...createMemoryHistoryCache(), get: () => Promise.reject(new Error('blocked')) }
    const { warnings, logger } = recordingLogger()
    expect(await readCachedHistory(adapter, 'k', '1', '2', logger)).toBeNull()
    expect(warnings).toHaveLength(1)
  })

  it('clears one user\'s conversations and nobody else\'s', async () => {
    const adapter = createMemoryHistoryCache()
    await adapter.set(historyKey('vrc', '1', '2'), 1)
    await adapter.set(historyKey('vrc', '1', '3'), 1)
    await adapter.set(historyKey('vrc', '11', '2'), 1)
    await adapter.set(historyKey('other', '1', '2'), 1)
    await clearCachedHistory(adapter, 'vrc', '1')
    expect((await adapter.keys()).sort()).toEqual([historyKey('other', '1', '2'), historyKey('vrc', '11', '2')].sort())
  })
})

describe('HistoryCacheWriter', () => {
  it('merges requests made while a write is in flight into one more write, with the newest state', async () => {
    const adapter = createMemoryHistoryCache()
    let state = [frame('1', 'a', 1)]
    const writer = new HistoryCacheWriter(adapter, 'k', () => encodeCachedHistory(state, '1', '2', 100))
    writer.request()
    for (let i = 2; i < 50; i++) {
      state = [...state, frame('1', `m${i}`, i)]
      writer.request()
    }
    await writer.idle()
    expect(writer.writes).toBe(2)
    expect(decodeCachedHistory(await adapter.get('k'), '1', '2')).toHaveLength(49)
  })

  it('warns once when writes fail, keeps trying on later requests, and stops after close()', async () => {
    let fail = true
    const stored = createMemoryHistoryCache()
    const adapter: HistoryCacheAdapter = { ...stored, set: (k, v) => fail ? Promise.reject(new Error('quota')) : stored.set(k, v) }
    const { warnings, logger } = recordingLogger()
    const writer = new HistoryCacheWriter(adapter, 'k', () => encodeCachedHistory([frame('1', 'a', 1)], '1', '2', 10), logger)
    writer.request()
    await writer.idle()
    writer.request()
    await writer.idle()
    expect(warnings).toHaveLength(1)
    fail = false
    writer.request()
    await writer.idle()
    expect(writer.writes).toBe(1)
    writer.close()
    writer.request()
    await writer.idle()
    expect(writer.writes).toBe(1)
  })
})
