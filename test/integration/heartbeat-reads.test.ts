/**
 * Every heartbeat a live conversation looks for dead owners' messages to adopt. With another live
 * tab holding many unsent messages, that costs one liveness check (a heartbeat-key read) per owner,
 * not one per stored entry.
 */
import { describe, expect, it } from 'vitest'
import type { StorageAdapter } from '../../src/core/types'
import { clientFixture, createManualSignals, live, loggedIn, until, waitFor } from './helpers'

const { boot, track } = clientFixture()
const ENTRIES = 300

function countingStorage(): StorageAdapter & { reads: Map<string, number>; writes: Map<string, number>; raw: Map<string, string> } {
  const raw = new Map<string, string>()
  const reads = new Map<string, number>()
  const writes = new Map<string, number>()
  return {
    raw,
    reads,
    writes,
    getItem(key) {
      reads.set(key, (reads.get(key) ?? 0) + 1)
      return raw.get(key) ?? null
    },
    setItem(key, value) {
      writes.set(key, (writes.get(key) ?? 0) + 1)
      raw.set(key, value)
    },
    removeItem: (key) => {
      raw.delete(key)
    },
  }
}

describe('heartbeat cost with another tab\'s long outbox', () => {
  it('reads each other owner\'s heartbeat key a bounded number of times per tick', async () => {
    const srv = await boot()
    const storage = countingStorage()
    const heartbeatMs = 40
    const signals = createManualSignals()
    signals.setOnline(false)
    const offline = track(await loggedIn(srv, 'student', { storage, heartbeatMs, signals }))
    const offlineConv = offline.conversation(2)
    for (let i = 0; i < ENTRIES; i++) expect(offlineConv.send(`m${i}`).ok).toBe(true)
    const stored = JSON.parse(storage.raw.get('vrc:outbox:1:2')!) as Array<{ owner: string }>
    expect(stored).toHaveLength(ENTRIES)
    const otherKey = `vrc:owner:${stored[0]!.owner}`

    const tab = track(await loggedIn(srv, 'student', { storage, heartbeatMs }))
    const conv = tab.conversation(2)
    await until(conv, live)
    const ownKey = (): string => [...storage.writes.keys()].find(k => k.startsWith('vrc:owner:') && k !== otherKey)!
    const beatsAt = storage.writes.get(ownKey()) ?? 0
    const readsAt = storage.reads.get(otherKey) ?? 0
    await waitFor(() => (storage.writes.get(ownKey()) ?? 0) >= beatsAt + 5, 'five heartbeats of the live tab', 5000)
    const beats = (storage.writes.get(ownKey()) ?? 0) - beatsAt
    const readsPerBeat = ((storage.reads.get(otherKey) ?? 0) - readsAt) / beats
    // The other owner is alive the whole time and nothing is adopted: a few reads per beat suffice.
    expect(JSON.parse(storage.raw.get('vrc:outbox:1:2')!)).toHaveLength(ENTRIES)
    expect(readsPerBeat).toBeLessThanOrEqual(4)
  })
})
