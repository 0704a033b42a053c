/**
 * Every client writes an outbox-owner heartbeat key `vrc:owner:{instance id}` to the shared storage.
 * `destroy()` removes it, but a tab that is closed or reloaded never calls `destroy()`: a live tab
 * must remove the keys of dead owners. Here 50 "page loads" whose timers simply stop (a closed tab),
 * then a live tab that runs many heartbeat periods.
 */
import { describe, expect, it } from 'vitest'
import type { Scheduler, StorageAdapter } from '../../src/core/types'
import { clientFixture, live, loggedIn, makeClient, until, waitFor } from './helpers'

const { boot, track } = clientFixture()

/** A scheduler whose timers all stop at `close()`, like a tab that is closed without any cleanup. */
function tabScheduler(): Scheduler & { close(): void } {
  const timers = new Set<ReturnType<typeof setTimeout>>()
  let closed = false
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      if (closed) return undefined
      const handle = setTimeout(() => {
        timers.delete(handle)
        if (!closed) fn()
      }, ms)
      timers.add(handle)
      return handle
    },
    clearTimeout(handle) {
      clearTimeout(handle as ReturnType<typeof setTimeout>)
      timers.delete(handle as ReturnType<typeof setTimeout>)
    },
    close() {
      closed = true
      for (const t of timers) clearTimeout(t)
      timers.clear()
    },
  }
}

function enumerableStorage(): StorageAdapter & { keys(): string[] } {
  const map = new Map<string, string>()
  return {
    getItem: key => map.get(key) ?? null,
    setItem: (key, value) => {
      map.set(key, value)
    },
    removeItem: (key) => {
      map.delete(key)
    },
    keys: () => [...map.keys()],
  }
}

describe('owner heartbeat keys of closed tabs', () => {
  it('are removed by a live tab once their owners are dead: 50 page loads leave one key', async () => {
    const srv = await boot()
    const storage = enumerableStorage()
    const heartbeatMs = 20
    for (let load = 0; load < 50; load++) {
      const scheduler = tabScheduler()
      makeClient(srv, { storage, heartbeatMs, scheduler }).conversation(2)
      scheduler.close()
    }
    const survivor = track(await loggedIn(srv, 'student', { storage, heartbeatMs }))
    const conv = survivor.conversation(2)
    await until(conv, live)
    const ownerKeys = () => storage.keys().filter(k => k.startsWith('vrc:owner:'))
    // Every closed tab is dead after 3 heartbeats of the survivor (60 ms); give it 100 periods.
    await waitFor(() => ownerKeys().length <= 1, 'owner keys of closed tabs to be removed', 2000)
    expect(ownerKeys()).toHaveLength(1)
    expect(JSON.parse(storage.getItem('vrc:owners')!)).toHaveLength(1)
  })
})
