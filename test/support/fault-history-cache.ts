/**
 * A history cache store for tests that outlives the pages using it (one per browser profile, as
 * IndexedDB is), whose writes can start or stop failing, and whose entries a test can replace with
 * what a damaged store, another user's data or an older copy would hand back.
 */
import type { HistoryCacheAdapter } from '../../src/core/persistence/history-cache'

/** A history cache adapter whose faults a test switches. */
export interface FaultHistoryCache extends HistoryCacheAdapter {
  /** `true`: every `set` and `del` rejects (a store over quota or blocked), the entries stay as they were. */
  failing: boolean
  /** Every value written to `key` (successful writes only), oldest first. */
  written(key: string): readonly unknown[]
  /** Replace `key`'s entry with `value` past any fault (the test speaks for a damaged store). */
  put(key: string, value: unknown): void
}

/** A memory-backed `HistoryCacheAdapter` with a switchable write fault and a history of what was written. */
export function createFaultHistoryCache(): FaultHistoryCache {
  const map = new Map<string, unknown>()
  const history = new Map<string, unknown[]>()
  const refuse = (): Promise<never> => Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))
  const cache: FaultHistoryCache = {
    failing: false,
    get: async key => map.get(key),
    async set(key, value) {
      if (cache.failing) return refuse()
      map.set(key, value)
      history.set(key, [...(history.get(key) ?? []), value])
    },
    async del(key) {
      if (cache.failing) return refuse()
      map.delete(key)
    },
    keys: async () => [...map.keys()],
    written: key => history.get(key) ?? [],
    put: (key, value) => void map.set(key, value),
  }
  return cache
}
