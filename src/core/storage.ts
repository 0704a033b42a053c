/**
 * Storage adapters for tokens, outbox and read markers: memory, and Web Storage that degrades to
 * memory wherever it is missing or throws (SSR, Safari private mode, quota).
 */
import type { StorageAdapter } from './types'

/** Thrown by a Web Storage adapter's `setItem` when the value could not be persisted (it is kept for this page only). */
export class StorageWriteError extends Error {
  override readonly name = 'StorageWriteError'
  /** The key whose value is in memory only; the browser storage no longer holds an older value for it. */
  readonly key: string

  constructor(key: string, cause: unknown) {
    super(`storage refused the write of "${key}"`, { cause })
    this.key = key
  }
}

/** A `StorageAdapter` backed by a `Map`. Each call creates an independent store. */
export function createMemoryStorage(): StorageAdapter & { clear(): void } {
  const map = new Map<string, string>()
  return {
    getItem: key => map.get(key) ?? null,
    setItem: (key, value) => {
      map.set(key, String(value))
    },
    removeItem: (key) => {
      map.delete(key)
    },
    clear: () => map.clear(),
  }
}

export type WebStorageKind = 'session' | 'local'

export interface WebStorageOptions {
  /** Where to find `sessionStorage` / `localStorage`. @default globalThis.window */
  window?: { sessionStorage?: Storage; localStorage?: Storage } | undefined
}

export interface WebStorageAdapter extends StorageAdapter {
  /** `false` when the browser storage was unusable and a memory store stands in for it. */
  readonly persistent: boolean
}

function probe(kind: WebStorageKind, win: WebStorageOptions['window']): Storage | null {
  try {
    const storage = kind === 'local' ? win?.localStorage : win?.sessionStorage
    if (!storage) return null
    const key = '__vrc_probe__'
    storage.setItem(key, key)
    storage.removeItem(key)
    return storage
  }
  catch {
    return null
  }
}

/**
 * `sessionStorage` (`'session'`) or `localStorage` (`'local'`) as a `StorageAdapter`.
 * SSR-safe: with no `window`, or a storage that throws on access, it quietly uses memory.
 * A write that fails (quota) removes the stale stored value, retries once, and if it still fails
 * keeps the value in memory for this page and throws a {@link StorageWriteError}, so the caller
 * knows another tab or a reload will not see it.
 *
 * @example
 * createChatClient({ baseUrl, storage: createWebStorage('session') })
 */
export function createWebStorage(kind: WebStorageKind, options: WebStorageOptions = {}): WebStorageAdapter {
  const win = 'window' in options
    ? options.window
    : (globalThis as { window?: WebStorageOptions['window'] }).window
  const storage = probe(kind, win)
  const shadow = createMemoryStorage()
  if (!storage) return { ...shadow, persistent: false }

  const shadowed = new Set<string>()
  return {
    persistent: true,
    getItem(key) {
      if (shadowed.has(key)) return shadow.getItem(key)
      try {
        return storage.getItem(key)
      }
      catch {
        return null
      }
    },
    setItem(key, value) {
      const persist = () => {
        storage.setItem(key, value)
        shadowed.delete(key)
        shadow.removeItem(key)
      }
      try {
        persist()
        return
      }
      catch {
        // The old value may be what fills the quota, and left behind it is stale for every other reader.
        try {
          storage.removeItem(key)
          persist()
          return
        }
        catch (error) {
          shadowed.add(key)
          shadow.setItem(key, value)
          throw new StorageWriteError(key, error)
        }
      }
    },
    removeItem(key) {
      shadowed.delete(key)
      shadow.removeItem(key)
      try {
        storage.removeItem(key)
      }
      catch {
        // Nothing to undo: the key is gone from the shadow, reads fall through to storage.
      }
    },
  }
}
