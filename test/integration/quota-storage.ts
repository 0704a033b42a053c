/**
 * A Web Storage (`localStorage` shape) whose quota, once `state.limit` is set, refuses values longer
 * than that with the browser's `QuotaExceededError` (0: every write). `raw` reads what is stored.
 */
export function quotaStorage(): { storage: Storage; state: { limit: number }; raw: (key: string) => string | null } {
  const map = new Map<string, string>()
  const state = { limit: Number.POSITIVE_INFINITY }
  const storage = {
    get length() { return map.size },
    key: (i: number) => [...map.keys()][i] ?? null,
    clear: () => map.clear(),
    getItem: (key: string) => map.get(key) ?? null,
    setItem(key: string, value: string) {
      if (value.length > state.limit) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      map.set(key, String(value))
    },
    removeItem: (key: string) => {
      map.delete(key)
    },
  }
  return { storage: storage as Storage, state, raw: (key: string) => map.get(key) ?? null }
}
