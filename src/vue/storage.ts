import type { StorageAdapter } from '../core/types'
import { DEFAULTS } from '../core/defaults'
import { createMemoryStorage, createWebStorage } from '../core/persistence/storage'

/**
 * Where the chat persists. `'memory'` is lost on reload; `'session'` survives reloads in one tab;
 * `'local'` survives restarts and is shared by tabs. Web storage falls back to memory under SSR
 * or when the browser refuses it.
 */
export type ChatStorageOption = 'memory' | 'session' | 'local' | StorageAdapter

function toAdapter(option: ChatStorageOption): StorageAdapter {
  if (option === 'memory') return createMemoryStorage()
  if (option === 'session' || option === 'local') return createWebStorage(option)
  return option
}

/**
 * The core's two adapters from the plugin's `storage` and `tokenStorage` options. Naming the same
 * kind twice gives one adapter, so a write that only reached memory is read back by both.
 */
export function resolveStorages(
  storage: ChatStorageOption = DEFAULTS.storage,
  tokenStorage: ChatStorageOption = storage,
): { storage: StorageAdapter; tokenStorage: StorageAdapter } {
  const data = toAdapter(storage)
  return { storage: data, tokenStorage: tokenStorage === storage ? data : toAdapter(tokenStorage) }
}
