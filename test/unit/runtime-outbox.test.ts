import { describe, expect, it } from 'vitest'
import { OutboxStore } from '../../src/core/persistence/outbox'
import { OwnerLease } from '../../src/core/persistence/owner-lease'
import type { LockManagerLike } from '../../src/core/options'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import type { OutboxEntry } from '../../src/core/timeline/timeline'
import type { Scheduler } from '../../src/core/types'

/** A manual timer queue on monotonic time, and a wall clock (`now()`) that `step()` moves alone: pure logic, no real time. */
function manualScheduler(): Scheduler & { advance(ms: number): void; step(ms: number): void } {
  let mono = 1_000_000
  let offset = 0
  let seq = 0
  const timers = new Map<number, { at: number; fn: () => void }>()
  return {
    now: () => mono + offset,
    setTimeout(fn, ms) {
      const id = ++seq
      timers.set(id, { at: mono + ms, fn })
      return id
    },
    clearTimeout(h) {
      timers.delete(h as number)
    },
    advance(ms) {
      const end = mono + ms
      for (;;) {
        const next = [...timers.entries()].sort((a, b) => a[1].at - b[1].at)[0]
        if (!next || next[1].at > end) break
        timers.delete(next[0])
        mono = next[1].at
        next[1].fn()
      }
      mono = end
    },
    step(ms) {
      offset += ms
    },
  }
}

const entry = (id: string, content = 'hi'): OutboxEntry => ({ id, content, createdAt: 1, status: 'pending', priorOccurrences: 0 })

describe('outbox ownership', () => {
  it('a live owner keeps its entries; a released one gives them up at once', () => {
    const storage = createMemoryStorage()
    const scheduler = manualScheduler()
    const base = { storage, storageKey: 'vrc', scheduler, heartbeatMs: 1000, locks: null }
    const a = new OwnerLease({ ...base, ownerId: 'A' })
    const b = new OwnerLease({ ...base, ownerId: 'B' })
    const outA = new OutboxStore(storage, 'vrc', '1', '2', a)
    const outB = new OutboxStore(storage, 'vrc', '1', '2', b)
    outA.save([entry('a1'), entry('a2', 'x')])
    outB.save([entry('b1')])
    expect(outB.load().map(e => e.id)).toEqual(['b1'])
    expect(outB.adoptDead()).toEqual([])
    a.release()
    expect(outB.adoptDead().map(e => e.id)).toEqual(['a1', 'a2'])
    // adopted entries now belong to B: nobody else takes them
    const c = new OwnerLease({ ...base, ownerId: 'C' })
    expect(new OutboxStore(storage, 'vrc', '1', '2', c).load()).toEqual([])
    expect(JSON.parse(storage.getItem('vrc:outbox:1:2')!).map((e: { owner: string }) => e.owner)).toEqual(['B', 'B', 'B'])
  })

  it('without Web Locks an owner whose beat stops changing is dead after 3 heartbeats of the observer', () => {
    const storage = createMemoryStorage()
    const scheduler = manualScheduler()
    const base = { storage, storageKey: 'vrc', scheduler, heartbeatMs: 1000, locks: null }
    const crashed = new OwnerLease({ ...base, ownerId: 'A' })
    const alive = new OwnerLease({ ...base, ownerId: 'B' })
    new OutboxStore(storage, 'vrc', '1', '2', crashed).save([entry('a1')])
    // simulate a crash: the heartbeat timer stops, the key stays
    const frozen = storage.getItem('vrc:owner:A')
    crashed.release()
    storage.setItem('vrc:owner:A', frozen!)
    scheduler.advance(2500)
    expect(alive.isDead('A')).toBe(false)
    scheduler.advance(600)
    expect(alive.isDead('A')).toBe(true)
    expect(alive.isDead('B')).toBe(false)
    alive.release()
  })

  it('a forward wall-clock step leaves an owner that keeps beating alive', () => {
    const storage = createMemoryStorage()
    const scheduler = manualScheduler()
    const base = { storage, storageKey: 'vrc', scheduler, heartbeatMs: 1000, locks: null }
    const a = new OwnerLease({ ...base, ownerId: 'A' })
    scheduler.advance(300)
    const b = new OwnerLease({ ...base, ownerId: 'B' })
    scheduler.advance(1500)
    scheduler.step(10 * 60_000)
    for (let i = 0; i < 12; i++) {
      expect(b.isDead('A'), `after ${i * 250} ms`).toBe(false)
      expect(a.isDead('B'), `after ${i * 250} ms`).toBe(false)
      scheduler.advance(250)
    }
    expect(storage.getItem('vrc:owner:A')).not.toBeNull()
    a.release()
    b.release()
  })

  it('a backward wall-clock step does not keep a crashed owner alive for the step', () => {
    const storage = createMemoryStorage()
    const scheduler = manualScheduler()
    const base = { storage, storageKey: 'vrc', scheduler, heartbeatMs: 1000, locks: null }
    const crashed = new OwnerLease({ ...base, ownerId: 'A' })
    const alive = new OwnerLease({ ...base, ownerId: 'B' })
    scheduler.advance(1500)
    const frozen = storage.getItem('vrc:owner:A')
    crashed.release()
    storage.setItem('vrc:owner:A', frozen!)
    scheduler.step(-10 * 60_000)
    expect(alive.isDead('A')).toBe(false)
    scheduler.advance(4000)
    expect(alive.isDead('A')).toBe(true)
    alive.release()
  })

  it('a tab closed long ago is dead one heartbeat after a new tab first looks', () => {
    const storage = createMemoryStorage()
    const scheduler = manualScheduler()
    const base = { storage, storageKey: 'vrc', scheduler, heartbeatMs: 1000, locks: null }
    const old = scheduler.now() - 3_600_000
    storage.setItem('vrc:owner:A', JSON.stringify({ since: old, beat: old, seq: 7 }))
    storage.setItem('vrc:owners', JSON.stringify(['A']))
    const b = new OwnerLease({ ...base, ownerId: 'B' })
    expect(b.isDead('A')).toBe(false)
    scheduler.advance(1000)
    expect(b.isDead('A')).toBe(true)
    // its key is gone with it; the index lists the live owner only
    expect(storage.getItem('vrc:owner:A')).toBeNull()
    expect(JSON.parse(storage.getItem('vrc:owners')!)).toEqual(['B'])
    b.release()
  })

  it('without Web Locks, beats that storage refused restart the watch: a live owner is not dead once storage works again', () => {
    const memory = createMemoryStorage()
    let broken = false
    const storage = {
      getItem: (k: string) => {
        if (broken) throw new DOMException('denied', 'SecurityError')
        return memory.getItem(k)
      },
      setItem: (k: string, v: string) => {
        if (broken) throw new DOMException('denied', 'SecurityError')
        memory.setItem(k, v)
      },
      removeItem: (k: string) => {
        if (broken) throw new DOMException('denied', 'SecurityError')
        memory.removeItem(k)
      },
    }
    const scheduler = manualScheduler()
    const base = { storage, storageKey: 'vrc', scheduler, heartbeatMs: 1000, locks: null }
    const a = new OwnerLease({ ...base, ownerId: 'A' })
    scheduler.advance(500)
    const b = new OwnerLease({ ...base, ownerId: 'B' })
    scheduler.advance(200)
    broken = true
    scheduler.advance(20_500)
    // storage is back just before B's beat, A's next one comes 500 ms later
    broken = false
    scheduler.advance(100)
    expect(b.isDead('A')).toBe(false)
    expect(memory.getItem('vrc:owner:A')).not.toBeNull()
    scheduler.advance(100)
    expect(b.isDead('A')).toBe(false)
    // A really stops now: 3 unchanged heartbeats of B
    const frozen = memory.getItem('vrc:owner:A')
    a.release()
    memory.setItem('vrc:owner:A', frozen!)
    scheduler.advance(3000)
    expect(b.isDead('A')).toBe(true)
    b.release()
  })

  it('a live owner missing from the owner index (a lost update) lists itself again and stays alive', () => {
    const storage = createMemoryStorage()
    const scheduler = manualScheduler()
    const base = { storage, storageKey: 'vrc', scheduler, heartbeatMs: 1000, locks: null }
    const a = new OwnerLease({ ...base, ownerId: 'A' })
    const b = new OwnerLease({ ...base, ownerId: 'B' })
    expect(JSON.parse(storage.getItem('vrc:owners')!)).toEqual(['A', 'B'])
    storage.setItem('vrc:owners', JSON.stringify(['B']))
    scheduler.advance(5000)
    expect(b.isDead('A')).toBe(false)
    expect(JSON.parse(storage.getItem('vrc:owners')!).sort()).toEqual(['A', 'B'])
    a.release()
    b.release()
  })

  it('with Web Locks a lost lock means dead at the next query, long before the heartbeat is stale', async () => {
    const storage = createMemoryStorage()
    const scheduler = manualScheduler()
    const held = new Set<string>()
    const locks: LockManagerLike = {
      async request(name, cb) {
        held.add(name)
        try {
          return await cb({ name })
        }
        finally {
          held.delete(name)
        }
      },
      query: async () => ({ held: [...held].map(name => ({ name })) }),
    }
    const base = { storage, storageKey: 'vrc', scheduler, heartbeatMs: 5000, locks }
    const a = new OwnerLease({ ...base, ownerId: 'A' })
    const b = new OwnerLease({ ...base, ownerId: 'B' })
    scheduler.advance(1500)
    await b.queryLocks()
    expect(b.isDead('A')).toBe(false)
    // a tab that vanishes releases its lock but never cleans storage
    const record = storage.getItem('vrc:owner:A')
    a.release()
    storage.setItem('vrc:owner:A', record!)
    await new Promise(r => setImmediate(r)) // let the lock's holder settle
    await b.queryLocks()
    expect(b.isDead('A')).toBe(true)
    b.release()
  })

  it('ignores corrupt storage instead of throwing', () => {
    const storage = createMemoryStorage()
    const scheduler = manualScheduler()
    const lease = new OwnerLease({ storage, storageKey: 'vrc', scheduler, heartbeatMs: 1000, locks: null, ownerId: 'A' })
    storage.setItem('vrc:outbox:1:2', '{not json')
    const out = new OutboxStore(storage, 'vrc', '1', '2', lease)
    expect(out.load()).toEqual([])
    storage.setItem('vrc:outbox:1:2', JSON.stringify([{ id: 1 }, { ...entry('ok'), owner: 'gone' }]))
    expect(out.load().map(e => e.id)).toEqual(['ok'])
    lease.release()
  })

  it('a claim storage refuses counts nothing; once persisted it is taken once, and a stale copy of a held id never again', () => {
    const memory = createMemoryStorage()
    let full = false
    const storage = {
      getItem: (k: string) => memory.getItem(k),
      setItem: (k: string, v: string) => {
        if (full) throw new DOMException('full', 'QuotaExceededError')
        memory.setItem(k, v)
      },
      removeItem: (k: string) => memory.removeItem(k),
    }
    const scheduler = manualScheduler()
    const base = { storage, storageKey: 'vrc', scheduler, heartbeatMs: 1000, locks: null }
    const dead = new OwnerLease({ ...base, ownerId: 'A' })
    new OutboxStore(storage, 'vrc', '1', '2', dead).save([entry('a1')])
    dead.release()
    const b = new OwnerLease({ ...base, ownerId: 'B' })
    const outB = new OutboxStore(storage, 'vrc', '1', '2', b)
    full = true
    expect(outB.load()).toEqual([])
    expect(outB.adoptDead()).toEqual([])
    // still the dead owner's: another tab may take it
    expect(JSON.parse(memory.getItem('vrc:outbox:1:2')!).map((e: { owner: string }) => e.owner)).toEqual(['A'])
    full = false
    expect(outB.adoptDead().map(e => e.id)).toEqual(['a1'])
    expect(outB.adoptDead()).toEqual([])
    // sent and confirmed meanwhile; a copy under the dead owner is back (a write that failed before the claim)
    memory.setItem('vrc:outbox:1:2', JSON.stringify([{ ...entry('a1'), owner: 'A' }]))
    expect(outB.adoptDead()).toEqual([])
    expect(outB.save([])).toBe(true)
    expect(memory.getItem('vrc:outbox:1:2')).toBeNull()
    b.release()
  })

  it('a held Web Lock keeps an owner alive while its heartbeat is stale (its storage writes fail)', async () => {
    const storage = createMemoryStorage()
    const scheduler = manualScheduler()
    const held = new Set<string>(['vrc:owner:A'])
    const locks: LockManagerLike = {
      request: () => new Promise(() => {}),
      query: async () => ({ held: [...held].map(name => ({ name })) }),
    }
    const base = { storage, storageKey: 'vrc', scheduler, heartbeatMs: 1000, locks }
    const b = new OwnerLease({ ...base, ownerId: 'B' })
    new OutboxStore(storage, 'vrc', '1', '2', b)
    storage.setItem('vrc:owner:A', JSON.stringify({ since: scheduler.now(), beat: scheduler.now() }))
    storage.setItem('vrc:outbox:1:2', JSON.stringify([{ ...entry('a1'), owner: 'A' }]))
    scheduler.advance(10_000)
    await b.queryLocks()
    expect(b.isDead('A')).toBe(false)
    expect(new OutboxStore(storage, 'vrc', '1', '2', b).adoptDead()).toEqual([])
    held.delete('vrc:owner:A')
    await b.queryLocks()
    expect(b.isDead('A')).toBe(true)
    b.release()
  })
})

describe('outbox store over a storage whose reads throw', () => {
  it('drops nothing as corrupt, and overwrites this owner\'s stored entries only after a read succeeded (then returns them)', () => {
    const memory = createMemoryStorage()
    let blocked = false
    const check = () => {
      if (blocked) throw new DOMException('Access to storage is denied.', 'SecurityError')
    }
    const storage = {
      getItem: (key: string) => (check(), memory.getItem(key)),
      setItem: (key: string, value: string) => memory.setItem(key, value),
      removeItem: (key: string) => memory.removeItem(key),
    }
    const corrupt: string[] = []
    const lease = new OwnerLease({ storage, storageKey: 'vrc', scheduler: manualScheduler(), ownerId: 'A', heartbeatMs: 1000, locks: null, onCorrupt: key => corrupt.push(key) })
    new OutboxStore(storage, 'vrc', '1', '2', lease).save([entry('a1')])
    const stored = memory.getItem('vrc:outbox:1:2')

    blocked = true
    // The timeline rebuilt now (an account switch back) restores nothing and saves its own state.
    const rebuilt = new OutboxStore(storage, 'vrc', '1', '2', lease)
    expect(rebuilt.load()).toEqual([])
    expect(rebuilt.save([entry('a2', 'new')])).toBe(false)
    expect(rebuilt.adoptDead()).toEqual([])
    expect(memory.getItem('vrc:outbox:1:2')).toBe(stored)
    expect(corrupt).toEqual([])

    // Readable again: a save keeps the entry no load returned yet, the next adoption returns it.
    blocked = false
    expect(rebuilt.save([entry('a2', 'new')])).toBe(true)
    expect(JSON.parse(memory.getItem('vrc:outbox:1:2')!).map((e: { id: string }) => e.id)).toEqual(['a1', 'a2'])
    expect(rebuilt.adoptDead().map(e => e.id)).toEqual(['a1'])
    expect(rebuilt.save([entry('a2', 'new')])).toBe(true)
    expect(JSON.parse(memory.getItem('vrc:outbox:1:2')!).map((e: { id: string }) => e.id)).toEqual(['a2'])
    lease.release()
  })
})

describe('outbox owner whose first heartbeat storage refused', () => {
  /** A storage the browser blocks (every access throws) until `unblock()`. */
  function blockedStorage() {
    const memory = createMemoryStorage()
    let blocked = true
    const check = () => {
      if (blocked) throw new DOMException('Access to storage is denied.', 'SecurityError')
    }
    return {
      getItem: (key: string) => (check(), memory.getItem(key)),
      setItem: (key: string, value: string) => (check(), memory.setItem(key, value)),
      removeItem: (key: string) => (check(), memory.removeItem(key)),
      unblock: () => {
        blocked = false
      },
    }
  }

  it('is listed again before its entries are stored, so no other tab adopts them while it lives', () => {
    const storage = blockedStorage()
    const scheduler = manualScheduler()
    const base = { storage, storageKey: 'vrc', scheduler, heartbeatMs: 1000, locks: null }
    // A page opened while the browser blocked storage: its beat was never written.
    const a = new OwnerLease({ ...base, ownerId: 'A' })
    const outA = new OutboxStore(storage, 'vrc', '1', '2', a)
    expect(outA.load()).toEqual([])
    storage.unblock()
    expect(outA.save([entry('a1')])).toBe(true)
    // Another tab looks before A's next heartbeat.
    const b = new OwnerLease({ ...base, ownerId: 'B' })
    const outB = new OutboxStore(storage, 'vrc', '1', '2', b)
    expect(outB.load()).toEqual([])
    expect(outB.adoptDead()).toEqual([])
    a.release()
    expect(outB.adoptDead().map(e => e.id)).toEqual(['a1'])
    b.release()
  })

  it('with Web Locks, listed that way it is not taken for dead before its lock could be granted', async () => {
    const storage = blockedStorage()
    const scheduler = manualScheduler()
    // Lock requests not granted yet: no lock is held.
    const locks: LockManagerLike = { request: () => new Promise(() => {}), query: async () => ({ held: [] }) }
    const base = { storage, storageKey: 'vrc', scheduler, heartbeatMs: 5000, locks }
    const a = new OwnerLease({ ...base, ownerId: 'A' })
    const outA = new OutboxStore(storage, 'vrc', '1', '2', a)
    outA.load()
    storage.unblock()
    scheduler.advance(10)
    expect(outA.save([entry('a1')])).toBe(true)
    const b = new OwnerLease({ ...base, ownerId: 'B' })
    const outB = new OutboxStore(storage, 'vrc', '1', '2', b)
    expect(outB.load()).toEqual([])
    await b.queryLocks()
    expect(outB.adoptDead()).toEqual([])
    a.release()
    b.release()
  })
})
