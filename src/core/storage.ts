/**
 * Storage adapters for tokens, outbox and read markers: memory, and Web Storage that degrades to
 * memory wherever it is missing or throws (SSR, Safari private mode, quota).
 */
import type { StorageAdapter } from './types'

/** Thrown by a Web Storage adapter's `setItem` when the browser refused the value (quota). */
export class StorageWriteError extends Error {
  override readonly name = 'StorageWriteError'
  /** The key whose value was not written (the browser storage keeps the previous one). */
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
 * A write refused later (quota) throws a {@link StorageWriteError} and changes nothing: reads keep
 * showing what every tab sees, and the caller, which keeps its own state in memory, decides about
 * the previous value (stale, like a revoked token, or still needed, like another tab's outbox).
 * A read or a removal the browser refuses later throws its error: an unreadable value is not an
 * absent one (the core reads through helpers that tell them apart, and never throws into the app).
 *
 * @example
 * createChatClient({ baseUrl, storage: createWebStorage('session') })
 */
export function createWebStorage(kind: WebStorageKind, options: WebStorageOptions = {}): WebStorageAdapter {
  const win = 'window' in options
    ? options.window
    : (globalThis as { window?: WebStorageOptions['window'] }).window
  const storage = probe(kind, win)
  if (!storage) return { ...createMemoryStorage(), persistent: false }
  return {
    persistent: true,
    getItem: key => storage.getItem(key),
    setItem(key, value) {
      try {
        storage.setItem(key, value)
      }
      catch (error) {
        throw new StorageWriteError(key, error)
      }
    },
    removeItem: key => storage.removeItem(key),
  }
}
