import type { StorageAdapter } from '../core/types'
import { createMemoryStorage, createWebStorage } from '../core/storage'

/**
 * Where tokens, the outbox and read markers persist.
 * `'memory'` is lost on reload; `'session'` survives reloads in one tab; `'local'` survives restarts
 * and is shared by tabs. Web storage falls back to memory under SSR or when the browser refuses it.
 */
export type ChatStorageOption = 'memory' | 'session' | 'local' | StorageAdapter

/** Turn the `storage` option into the core's adapter. */
export function resolveStorage(option: ChatStorageOption | undefined): StorageAdapter {
  if (option === undefined || option === 'memory') return createMemoryStorage()
  if (option === 'session' || option === 'local') return createWebStorage(option)
  return option
}
