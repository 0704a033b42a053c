/**
 * The one way the core touches a `StorageAdapter`: reads that fail read as missing, writes and
 * removals say whether they took effect. Nothing here throws.
 */
import type { StorageAdapter } from '../types'

/** The stored value, or `null` when there is none or the storage throws. */
export function readItem(storage: StorageAdapter, key: string): string | null {
  return tryReadItem(storage, key) ?? null
}

/** The stored value, `null` when there is none, `undefined` when the storage threw (nothing is known). */
export function tryReadItem(storage: StorageAdapter, key: string): string | null | undefined {
  try {
    return storage.getItem(key)
  }
  catch {
    return undefined
  }
}

/** `true` once `value` is persisted; `false` when the adapter refused it (quota, private mode). */
export function writeItem(storage: StorageAdapter, key: string, value: string): boolean {
  try {
    storage.setItem(key, value)
    return true
  }
  catch {
    return false
  }
}

/** `true` when the key is gone (or never was); `false` when the adapter threw. */
export function removeItem(storage: StorageAdapter, key: string): boolean {
  try {
    storage.removeItem(key)
    return true
  }
  catch {
    return false
  }
}

/** The list of strings stored as JSON under `key`; `[]` when missing, unreadable or not such a list. */
export function readStringList(storage: StorageAdapter, key: string): string[] {
  try {
    const parsed: unknown = JSON.parse(readItem(storage, key) ?? '[]')
    return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string') : []
  }
  catch {
    return []
  }
}
