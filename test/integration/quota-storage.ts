import { createMemoryStorage, createWebStorage } from '../../src/core/persistence/storage'
import type { ChatServer } from '../../src/testing'
import { createManualSignals, live, makeClient, until, USERS } from './helpers'

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

/**
 * Two tabs of the student, each with its own `createWebStorage` over one quota-limited `localStorage`
 * (tokens apart, in memory), both live with the parent, then both offline: what is sent now is queued.
 */
export async function twoOfflineTabs(srv: ChatServer, quota: ReturnType<typeof quotaStorage>) {
  const webStorage = () => createWebStorage('local', { window: { localStorage: quota.storage } })
  const signalsA = createManualSignals()
  const signalsB = createManualSignals()
  const tabA = makeClient(srv, { storage: webStorage(), tokenStorage: createMemoryStorage(), signals: signalsA })
  const tabB = makeClient(srv, { storage: webStorage(), tokenStorage: createMemoryStorage(), signals: signalsB })
  await tabA.auth.login(USERS.student.email, USERS.student.password)
  await tabB.auth.login(USERS.student.email, USERS.student.password)
  const a = tabA.conversation(2)
  const b = tabB.conversation(2)
  await Promise.all([until(a, live), until(b, live)])
  signalsA.setOnline(false)
  signalsB.setOnline(false)
  return { webStorage, signalsA, signalsB, tabA, tabB, a, b }
}
