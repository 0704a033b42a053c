/** `storage` / `tokenStorage` resolution: browser storage by default, memory without a window, tokens follow `storage`. */
import { afterEach, describe, expect, it } from 'vitest'
import { resolveOptions } from '../../src/core/options'
import { createMemoryStorage } from '../../src/core/persistence/storage'

const g = globalThis as { window?: unknown }
afterEach(() => {
  delete g.window
})

function fakeLocalStorage(): Storage & { map: Map<string, string> } {
  const map = new Map<string, string>()
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  } as unknown as Storage & { map: Map<string, string> }
}

describe('storage options', () => {
  it('in a browser both default to localStorage (one adapter)', () => {
    const localStorage = fakeLocalStorage()
    g.window = { localStorage }
    const resolved = resolveOptions({})
    resolved.storage.setItem('k', 'v')
    expect(localStorage.map.get('k')).toBe('v')
    expect(resolved.tokenStorage).toBe(resolved.storage)
  })

  it('without a window both are memory, not shared between clients', () => {
    const a = resolveOptions({})
    const b = resolveOptions({})
    a.storage.setItem('k', 'v')
    expect(b.storage.getItem('k')).toBeNull()
  })

  it('tokenStorage defaults to the given storage and can be set apart', () => {
    const storage = createMemoryStorage()
    const tokens = createMemoryStorage()
    expect(resolveOptions({ storage }).tokenStorage).toBe(storage)
    expect(resolveOptions({ storage, tokenStorage: tokens }).tokenStorage).toBe(tokens)
  })
})
