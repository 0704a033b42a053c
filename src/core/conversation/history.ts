/**
 * The history cache of one client: shows each conversation's cached messages before its socket
 * opens and rewrites them after each replay. Loaded only when `historyCache` is on (the client
 * imports this module on demand), so an app without the cache bundles none of it.
 */
import {
  clearCachedHistory,
  createMemoryHistoryCache,
  encodeCachedHistory,
  historyKey,
  HistoryCacheWriter,
  readCachedHistory,
  type HistoryCacheAdapter,
} from '../persistence/history-cache'
import { createIndexedDbHistoryCache } from '../persistence/indexeddb-history-cache'
import { showCachedHistory, storedHistory } from '../timeline/cached-history'
import type { Timeline } from '../timeline/timeline'
import type { ChatLogger, UserId } from '../types'

/** One conversation's link to the cache. */
export interface HistoryLink {
  /**
   * A replay ended: write what it confirmed (merged with writes still in flight). Live messages
   * wait for the next replay: they carry no server time, which the cache's reconciliation needs.
   */
  replayed(): void
  /** The conversation was released or its user changed: no more reads or writes. */
  close(): void
}

/** The cache of one client. */
export interface HistorySession {
  /** Read `self`'s cache with `peer` into `timeline` (`shown` once it is on screen). */
  open(self: UserId, peer: UserId, timeline: Timeline, shown: () => void): HistoryLink
  /** Remove every cached conversation of `self` (after its writes in flight). Never rejects. */
  clear(self: UserId): Promise<void>
}

/** The cache of a client; `adapter` undefined: IndexedDB where the host has it, else memory. */
export function createHistorySession(config: { readonly maxMessages: number; readonly adapter?: HistoryCacheAdapter }, storageKey: string, logger: ChatLogger | undefined): HistorySession {
  // IndexedDB is in this module's chunk, not one of its own: a chunk loaded at the first read would
  // come after the app's mount, and the cache is read as the first conversation opens.
  const adapter = config.adapter ?? (typeof indexedDB === 'undefined' ? createMemoryHistoryCache() : createIndexedDbHistoryCache())
  // Opens the database now, while the app mounts, rather than at the first conversation's read.
  if (!config.adapter) adapter.get('').catch(() => {})
  const writers = new Map<UserId, Set<HistoryCacheWriter>>()
  return {
    open(self, peer, timeline, shown) {
      const key = historyKey(storageKey, self, peer)
      let open = true
      void readCachedHistory(adapter, key, self, peer, logger).then((frames) => {
        if (open && frames && showCachedHistory(timeline, frames)) shown()
      })
      const writer = new HistoryCacheWriter(adapter, key, () => {
        const frames = storedHistory(timeline)
        return frames && encodeCachedHistory(frames, self, peer, config.maxMessages)
      }, logger)
      const mine = writers.get(self) ?? writers.set(self, new Set()).get(self)!
      mine.add(writer)
      return {
        replayed: () => writer.request(),
        close() {
          open = false
          writer.close()
          mine.delete(writer)
        },
      }
    },
    async clear(self) {
      const mine = [...(writers.get(self) ?? [])]
      for (const w of mine) w.close()
      await Promise.all(mine.map(w => w.idle()))
      await clearCachedHistory(adapter, storageKey, self)
    },
  }
}
