/**
 * The browser's history cache: IndexedDB through idb-keyval (one database, one object store).
 * Loaded with the history cache, so an app that does not enable the cache never bundles it.
 */
import { createStore, del, get, keys, set } from 'idb-keyval'
import type { HistoryCacheAdapter } from './history-cache'

/** Where the cache lives in IndexedDB. */
export interface IndexedDbHistoryCacheOptions {
  /** @default 'vue-realtime-chat' */
  dbName?: string
  /** @default 'history' */
  storeName?: string
}

/**
 * A history cache adapter on IndexedDB. The database opens on first use, so creating the adapter
 * where IndexedDB is missing (SSR, Node) is harmless; every call then rejects and the cache is skipped.
 */
export function createIndexedDbHistoryCache(options: IndexedDbHistoryCacheOptions = {}): HistoryCacheAdapter {
  let store: ReturnType<typeof createStore> | undefined
  const use = (): ReturnType<typeof createStore> => {
    if (typeof indexedDB === 'undefined') throw new Error('IndexedDB is not available here')
    return (store ??= createStore(options.dbName ?? 'vue-realtime-chat', options.storeName ?? 'history'))
  }
  return {
    get: async key => get(key, use()),
    set: async (key, value) => set(key, value, use()),
    del: async key => del(key, use()),
    keys: async () => (await keys(use())).filter((k): k is string => typeof k === 'string'),
  }
}
