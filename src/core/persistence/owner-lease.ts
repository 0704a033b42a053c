/**
 * Ownership of persisted outbox entries across clients that share one storage (tabs of one
 * browser, or a reload). Every entry carries its owner (a client instance id); a client adopts only
 * entries whose owner is dead. With Web Locks an owner is alive while it holds the lock
 * `{storageKey}:owner:{id}` (a closed or crashed tab loses it at once), whatever its heartbeat;
 * otherwise while its heartbeat key keeps changing (rewritten every `heartbeatMs`; unchanged for 3
 * heartbeats of the observer counts as dead). `release()` removes the heartbeat key: a reload adopts
 * immediately.
 */
import type { LockManagerLike } from '../options'
import { readStringList, removeItem, tryReadItem, writeItem } from './safe-storage'
import { storageKeys, type StorageKeys } from './storage-keys'
import type { Scheduler, StorageAdapter } from '../types'

/** Heartbeats of ours another owner's beat may stay unchanged before that owner counts as dead. */
const STALE_TICKS = 3
/** A beat this many periods old by the wall clock (a tab closed long ago) is dead once it stays unchanged for one heartbeat of ours. */
const STALE_PERIODS = 3
/** A lock is only trusted to be held once the owner registered this long ago (the request is async). */
const LOCK_GRACE_MS = 1000

/** How an `OwnerLease` is set up. */
export interface OwnerLeaseOptions {
  storage: StorageAdapter
  storageKey: string
  scheduler: Scheduler
  ownerId: string
  heartbeatMs: number
  locks: LockManagerLike | null
  /** Called after every heartbeat (a chance to adopt entries of owners that died meanwhile). */
  onTick?: () => void
  /** A persisted outbox under `key` was unreadable and has been dropped (or its bad entries skipped). */
  onCorrupt?: (key: string) => void
  /**
   * Passive (SSR, no WebSocket): claim nothing, no heartbeat timer, no lock request. Such a client
   * never sends, so it must keep nothing alive.
   * @default false
   */
  passive?: boolean
}

interface OwnerRecord {
  since: number
  beat: number
  /** Heartbeats the owner wrote before this one. */
  seq?: number
}

/** What this client last saw of another owner's heartbeat key. */
interface Sighting {
  raw: string
  /** Our heartbeat count from which the record counts as unchanged. */
  tick: number
  /** Lock queries this client had started when it first saw the owner. */
  queries: number
  /**
   * Watching restarted because our own view was unreliable (our beat could not be written, or our
   * clock jumped): only a record that stays unchanged for `STALE_TICKS` of ours counts as dead then.
   */
  restarted: boolean
}

function parseRecord(raw: string): OwnerRecord | null {
  try {
    const parsed: unknown = JSON.parse(raw)
    const r = parsed as Partial<OwnerRecord> | null
    return r && typeof r === 'object' && typeof r.beat === 'number' && typeof r.since === 'number' && (r.seq === undefined || typeof r.seq === 'number') ? r as OwnerRecord : null
  }
  catch {
    return null
  }
}

/**
 * This client's claim on its outbox entries, and the liveness view of other owners.
 *
 * Liveness never compares another tab's timestamps with this tab's clock alone (a wall-clock step
 * would make a live owner look dead, or a crashed one alive): an owner is dead when its heartbeat
 * key is missing, when Web Locks show its lock released, when its beat has not changed for
 * `STALE_TICKS` heartbeats of ours, or when its beat is old by the wall clock and has not changed
 * for one heartbeat of ours. A held lock always means alive. Each heartbeat also removes the keys
 * of dead owners listed in the owner index, so tabs closed without `destroy()` leave nothing behind.
 */
export class OwnerLease {
  readonly ownerId: string
  #timer: unknown = null
  #releaseLock: (() => void) | null = null
  #held: { names: ReadonlySet<string>; at: number; query: number } | null = null
  #released = false
  #ticks = 0
  #queries = 0
  #lastBeatAt: number | null = null
  readonly #sightings = new Map<string, Sighting>()
  readonly #since: number
  readonly #keys: StorageKeys
  readonly #options: OwnerLeaseOptions

  /** A passive client (SSR, `connect: false`) never sends, so it claims and writes nothing. */
  get passive(): boolean {
    return this.#options.passive === true
  }

  constructor(options: OwnerLeaseOptions) {
    this.#options = options
    this.ownerId = options.ownerId
    this.#keys = storageKeys(options.storageKey)
    this.#since = options.scheduler.now()
    if (options.passive) {
      this.#released = true
      return
    }
    this.#beat()
    this.#acquireLock()
    void this.queryLocks()
  }

  /** Report an unreadable persisted outbox (never throws). */
  corrupt(key: string): void {
    try {
      this.#options.onCorrupt?.(key)
    }
    catch {
      // A broken reporter must not break loading.
    }
  }

  #beat(): void {
    if (this.#released) return
    const { storage, scheduler, heartbeatMs } = this.#options
    const now = scheduler.now()
    const gap = this.#lastBeatAt === null ? heartbeatMs : now - this.#lastBeatAt
    this.#lastBeatAt = now
    const record: OwnerRecord = { since: this.#since, beat: now, seq: this.#ticks++ }
    const written = writeItem(storage, this.#keys.owner(this.ownerId), JSON.stringify(record))
    // Our write failing means the others' likely fail too, and a gap in our own beats by the wall
    // clock means the clock jumped (or this page slept): what we saw unchanged proves nothing then.
    if (!written || gap < 0 || gap > 2 * heartbeatMs) {
      for (const seen of this.#sightings.values()) Object.assign(seen, { tick: this.#ticks, restarted: true })
    }
    this.#prune(written)
    this.#timer = scheduler.setTimeout(() => {
      this.#timer = null
      this.#beat()
      void this.queryLocks().then(() => this.#options.onTick?.())
    }, heartbeatMs)
  }

  /**
   * Remove the heartbeat keys of dead owners listed in the owner index, and list this client. Two
   * tabs writing the index at once may drop an entry: a dead owner's key then leaks, a live owner
   * lists itself again at its next beat (liveness reads the heartbeat key, never the index).
   */
  #prune(listSelf: boolean): void {
    const { storage } = this.#options
    const key = this.#keys.owners
    const before = readStringList(storage, key)
    const after = before.filter((id) => {
      if (id === this.ownerId || !this.#observe(id, true) || !removeItem(storage, this.#keys.owner(id))) return true
      this.#sightings.delete(id)
      return false
    })
    if (listSelf && !after.includes(this.ownerId)) after.push(this.ownerId)
    if (after.length !== before.length || after.some((id, i) => id !== before[i])) writeItem(storage, key, JSON.stringify(after))
  }

  #acquireLock(): void {
    const locks = this.#options.locks
    if (!locks) return
    const hold = new Promise<void>((resolve) => {
      this.#releaseLock = resolve
    })
    try {
      locks.request(this.#keys.owner(this.ownerId), () => hold).catch(() => {})
    }
    catch {
      this.#releaseLock = null
    }
  }

  /** Refresh the cached list of held locks (no-op without Web Locks). */
  async queryLocks(): Promise<void> {
    const locks = this.#options.locks
    if (!locks?.query) return
    const at = this.#options.scheduler.now()
    const query = ++this.#queries
    try {
      const state = await locks.query()
      if (this.#held && this.#held.query > query) return
      this.#held = { names: new Set((state.held ?? []).map(l => l.name ?? '')), at, query }
    }
    catch {
      this.#held = null
    }
  }

  /** Is `ownerId` (another client sharing this storage) gone for good? Synchronous, from cached knowledge. */
  isDead(ownerId: string): boolean {
    return ownerId !== this.ownerId && this.#observe(ownerId, false)
  }

  /** Look at `ownerId`'s heartbeat key now (during our own beat, or between two) and judge it. */
  #observe(ownerId: string, atBeat: boolean): boolean {
    const { storage, scheduler, heartbeatMs } = this.#options
    const key = this.#keys.owner(ownerId)
    let raw: string | null
    try {
      raw = storage.getItem(key)
    }
    catch {
      // Unreadable is not missing: judging an owner dead on it would resend its messages.
      return false
    }
    const record = raw === null ? null : parseRecord(raw)
    let seen: Sighting | undefined
    if (raw !== null && record) {
      seen = this.#sightings.get(ownerId)
      // Seen between two of our beats, it counts from the next one: a full period must pass unchanged.
      const tick = atBeat ? this.#ticks : this.#ticks + 1
      if (!seen) this.#sightings.set(ownerId, seen = { raw, tick, queries: this.#queries, restarted: false })
      else if (seen.raw !== raw) Object.assign(seen, { raw, tick, restarted: false })
    }
    const held = this.#held
    // A held lock proves the owner alive even when its heartbeat is stale (its storage writes fail, its timers are throttled).
    if (held?.names.has(key)) return false
    if (!seen || !record) {
      this.#sightings.delete(ownerId)
      return true
    }
    const unchanged = this.#ticks - seen.tick
    if (held && held.query > seen.queries && (unchanged >= 1 || this.#lockGraceOver(record, held.at))) return true
    if (unchanged >= STALE_TICKS) return true
    return !seen.restarted && unchanged >= 1 && scheduler.now() - record.beat > STALE_PERIODS * heartbeatMs
  }

  /**
   * The owner registered long enough before `at` for its lock to be granted. Before its second beat
   * only a clock reading that fits that counts (a forward step must not end the grace early).
   */
  #lockGraceOver(record: OwnerRecord, at: number): boolean {
    const age = at - record.since
    if (record.seq === undefined) return age > LOCK_GRACE_MS
    return record.seq >= 1 || (age > LOCK_GRACE_MS && age <= Math.max(LOCK_GRACE_MS, this.#options.heartbeatMs))
  }

  /**
   * Store this owner's heartbeat key now if storage holds none (a beat it refused): another tab
   * reads a missing key as dead and would adopt entries stored under this owner. `false` when it
   * cannot be stored; always `true` once released (its entries are meant to be adopted).
   */
  ensureListed(): boolean {
    if (this.#released) return true
    const { storage, scheduler } = this.#options
    const key = this.#keys.owner(this.ownerId)
    const stored = tryReadItem(storage, key)
    if (stored !== null) return stored !== undefined
    // No `seq`: a beat count would tell observers the lock grace is over, however young this owner is.
    const record: OwnerRecord = { since: this.#since, beat: scheduler.now() }
    return writeItem(storage, key, JSON.stringify(record))
  }

  /** Give up ownership: entries of this client become adoptable at once. */
  release(): void {
    if (this.#released) return
    this.#released = true
    if (this.#timer !== null) this.#options.scheduler.clearTimeout(this.#timer)
    this.#timer = null
    this.#releaseLock?.()
    this.#releaseLock = null
    removeItem(this.#options.storage, this.#keys.owner(this.ownerId))
  }
}
