/**
 * Browser storage faults for tests: a raw `localStorage`-like adapter whose writes can start or
 * stop failing with `QuotaExceededError`, or whose every access throws (a storage the browser
 * blocks), and a fake Web Storage with a real byte quota to put under `createWebStorage`.
 */
import type { StorageAdapter } from '../../src/core/types'

/** `ok`: works; `full`: writes that need more room fail (quota); `broken`: every call throws. */
export type StorageFault = 'ok' | 'full' | 'broken'

function quotaError(): DOMException {
  return new DOMException('The quota has been exceeded.', 'QuotaExceededError')
}

function blockedError(): DOMException {
  return new DOMException('Access to storage is denied.', 'SecurityError')
}

/**
 * A `Storage` (the Web Storage interface) holding at most `quota` UTF-16 code units of keys and
 * values, as browsers count them. `fill()` sets the quota to what is stored now, so only writes
 * that do not grow the total succeed (a rewrite after removing the old value does).
 */
export class QuotaStorage implements Storage {
  readonly #map = new Map<string, string>()
  fault: StorageFault = 'ok'
  quota = Number.POSITIVE_INFINITY;

  [name: string]: unknown

  get length(): number {
    this.#check()
    return this.#map.size
  }

  /** Code units in use (keys and values). */
  used(): number {
    let n = 0
    for (const [k, v] of this.#map) n += k.length + v.length
    return n
  }

  /** Quota: stop at the current usage (`'full'`), or lift it (`'ok'`); `'broken'`: every access throws. */
  set(fault: StorageFault): void {
    this.fault = fault
    this.quota = fault === 'full' ? this.used() : Number.POSITIVE_INFINITY
  }

  /** What is stored, read past any fault (for assertions and debugging only). */
  peek(key: string): string | null {
    return this.#map.get(key) ?? null
  }

  #check(): void {
    if (this.fault === 'broken') throw blockedError()
  }

  clear(): void {
    this.#check()
    this.#map.clear()
  }

  getItem(key: string): string | null {
    this.#check()
    return this.#map.get(String(key)) ?? null
  }

  key(index: number): string | null {
    this.#check()
    return [...this.#map.keys()][index] ?? null
  }

  removeItem(key: string): void {
    this.#check()
    this.#map.delete(String(key))
  }

  setItem(key: string, value: string): void {
    this.#check()
    const k = String(key)
    const v = String(value)
    const old = this.#map.get(k)
    const next = this.used() - (old === undefined ? 0 : k.length + old.length) + k.length + v.length
    if (next > this.quota) throw quotaError()
    this.#map.set(k, v)
  }
}

/**
 * A `StorageAdapter` that behaves like a raw `window.localStorage` handed to the client: a write
 * refused by the quota throws `QuotaExceededError` (the stored value stays as it was), and a
 * blocked storage throws on every call. Switch faults with `set()`.
 */
export function createFaultStorage(backing: QuotaStorage = new QuotaStorage()): StorageAdapter & { readonly backing: QuotaStorage; set(fault: StorageFault): void } {
  return {
    backing,
    set: fault => backing.set(fault),
    getItem: key => backing.getItem(key),
    setItem: (key, value) => backing.setItem(key, value),
    removeItem: key => backing.removeItem(key),
  }
}
