/**
 * Storage adapters for tokens, outbox and read markers: memory, and Web Storage that degrades to
 * memory wherever it is missing or throws (SSR, Safari private mode, quota).
 */
import type { StorageAdapter } from '../types'

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
  /**
   * `false` where there is no browser storage at all (SSR, Node): a memory store stands in. A
   * browser storage that refuses access (private mode, a full origin, blocked site data) is still
   * the one used, so the chat persists again as soon as the browser allows it.
   */
  readonly persistent: boolean
}

/**
 * `sessionStorage` (`'session'`) or `localStorage` (`'local'`) as a `StorageAdapter`.
 * SSR-safe: with no `window` (or no such storage) it uses memory.
 * Every call goes to the browser: a write it refuses throws a {@link StorageWriteError} and
 * changes nothing, a read or removal it refuses throws its error (an unreadable value is not an
 * absent one). The core reads and writes through helpers that tell these apart, keeps its own
 * state in memory meanwhile and never throws into the app; it decides about a previous value
 * (stale, like a revoked token, or still needed, like another tab's outbox).
 *
 * @example
 * createChatClient({ baseUrl, storage: createWebStorage('session') })
 */
export function createWebStorage(kind: WebStorageKind, options: WebStorageOptions = {}): WebStorageAdapter {
  const win = 'window' in options
    ? options.window
    : (globalThis as { window?: WebStorageOptions['window'] }).window
  // Looked up on every call: a getter that throws now (blocked site data) may not later.
  const storage = (): Storage => {
    const found = kind === 'local' ? win?.localStorage : win?.sessionStorage
    if (!found) throw new DOMException(`${kind}Storage is gone`, 'InvalidStateError')
    return found
  }
  let present: boolean
  try {
    present = Boolean(kind === 'local' ? win?.localStorage : win?.sessionStorage)
  }
  catch {
    present = true
  }
  if (!present) return { ...createMemoryStorage(), persistent: false }
  return {
    persistent: true,
    getItem: key => storage().getItem(key),
    setItem(key, value) {
      try {
        storage().setItem(key, value)
      }
      catch (error) {
        throw new StorageWriteError(key, error)
      }
    },
    removeItem: key => storage().removeItem(key),
  }
}
