/**
 * Persistence of unsent own messages (the timeline's outbox) through the storage adapter, and
 * ownership across clients that share one storage (tabs of one browser, or a reload).
 *
 * Every entry carries its owner (a client instance id). A client adopts only entries whose owner
 * is dead, and only once its claim is persisted, so two live tabs never resend each other's
 * messages. With Web Locks an owner is alive while it holds the lock `{storageKey}:owner:{id}` (a
 * closed or crashed tab loses it at once), whatever its heartbeat; otherwise while its heartbeat key
 * keeps changing (rewritten every `heartbeatMs`; unchanged for 3 heartbeats of the observer counts as
 * dead). `destroy()` removes the heartbeat key: a reload adopts immediately.
 */
import type { LockManagerLike } from '../options'
import { readStringList, removeItem, tryReadItem, writeItem } from './safe-storage'
import { storageKeys, type StorageKeys } from './storage-keys'
import type { OutboxEntry } from '../timeline/timeline'
import { indexPeer } from './user-data'
import type { Scheduler, StorageAdapter, UserId } from '../types'

/**
 * Most unsent messages one conversation keeps (and persists) for one client: `send()` beyond it is
 * refused (`outbox_full`), nothing already kept is dropped. Messages adopted from a closed tab may
 * exceed it.
 */
export const OUTBOX_MAX_ENTRIES = 1000
/**
 * Most characters of unsent text one conversation keeps for one client, under the same rule: a few
 * conversations at the cap still fit a 5 MB `localStorage` with room for everything else.
 */
export const OUTBOX_MAX_CHARS = 200_000

/** Heartbeats of ours another owner's beat may stay unchanged before that owner counts as dead. */
const STALE_TICKS = 3
/** A beat this many periods old by the wall clock (a tab closed long ago) is dead once it stays unchanged for one heartbeat of ours. */
const STALE_PERIODS = 3
/** A lock is only trusted to be held once the owner registered this long ago (the request is async). */
const LOCK_GRACE_MS = 1000

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

/** A persisted outbox entry with its owner. */
export interface OwnedOutboxEntry extends OutboxEntry {
  readonly owner: string
}

/** The largest time a `Date` holds: a stored `createdAt` beyond it could not become an ISO string. */
const MAX_TIME = 8.64e15

/** Ownership, id and a representable time are checked here: `Timeline.restore()` validates (and skips) the rest. */
function isEntry(value: unknown): value is OwnedOutboxEntry {
  const e = value as Partial<OwnedOutboxEntry> | null
  return typeof e?.owner === 'string' && typeof e.id === 'string' && typeof e.createdAt === 'number' && Math.abs(e.createdAt) <= MAX_TIME
}

function strip(entry: OwnedOutboxEntry): OutboxEntry {
  const { owner: _owner, ...rest } = entry
  return rest
}

/** The outbox of one conversation in storage: `{storageKey}:outbox:{selfId}:{peerId}`. */
export class OutboxStore {
  readonly key: string
  readonly #storage: StorageAdapter
  readonly #lease: OwnerLease
  /**
   * Ids this store has held (saved or adopted). A copy of one still in storage under a dead owner
   * (a write that failed after it was sent) is claimed, so the next save drops it, but never restored.
   */
  readonly #seen = new Set<string>()
  /**
   * `false` from `load()` until a read of storage succeeded: this owner's stored entries are unknown
   * meanwhile and never overwritten. `null`: never loaded (a store that only writes).
   */
  #loaded: boolean | null = null
  /** This owner's ids whose stored copy says `queued`: a later page would send that copy without asking a replay. */
  readonly #queued = new Set<string>()
  /** Ids storage held under this owner after its last write: one gone from there was adopted elsewhere. */
  #mine = new Set<string>()

  readonly #keys: StorageKeys
  readonly #self: UserId
  readonly #peer: UserId
  /** The user's peers index lists this conversation (so a logout finds its keys). */
  #indexed = false

  constructor(storage: StorageAdapter, storageKey: string, selfId: UserId, peerId: UserId, lease: OwnerLease) {
    this.#storage = storage
    this.#lease = lease
    this.#keys = storageKeys(storageKey)
    this.#self = selfId
    this.#peer = peerId
    this.key = this.#keys.outbox(selfId, peerId)
  }

  /** List this conversation in the user's peers index once something of it is stored. */
  index(): void {
    if (!this.#indexed && !this.#lease.passive) this.#indexed = indexPeer(this.#storage, this.#keys, this.#self, this.#peer)
  }

  /**
   * The stored value and its entries; a value that is not a list of owned entries is dropped and
   * reported. `null` when storage throws on reading: that says nothing about what it holds.
   */
  #read(): { raw: string | null; list: OwnedOutboxEntry[] } | null {
    let raw: string | null
    try {
      raw = this.#storage.getItem(this.key) ?? null
    }
    catch {
      return null
    }
    let parsed: unknown = []
    try {
      parsed = JSON.parse(raw ?? '[]')
    }
    catch {
      parsed = null
    }
    const list = Array.isArray(parsed) ? parsed.filter(isEntry) : []
    if (list.length !== (parsed as unknown[] | null)?.length) {
      this.#write(list)
      this.#lease.corrupt(this.key)
    }
    return { raw, list }
  }

  /** `true` once persisted (then `list` is what storage holds); `false`: storage full or unavailable, nothing changed. */
  #write(list: readonly OwnedOutboxEntry[]): boolean {
    const owner = this.#lease.ownerId
    if (list.some(e => e.owner === owner) && !this.#lease.ensureListed()) return false
    const done = list.length === 0 ? removeItem(this.#storage, this.key) : writeItem(this.#storage, this.key, JSON.stringify(list))
    if (done) {
      if (list.length > 0) this.index()
      this.#mine = new Set(list.filter(e => e.owner === this.#lease.ownerId).map(e => e.id))
      this.#queued.clear()
      for (const e of list) if (e.owner === owner && e.status === 'queued') this.#queued.add(e.id)
    }
    return done
  }

  /**
   * This client's own persisted entries, and every dead owner's it could claim. While storage cannot
   * be read this returns nothing and `save()` writes nothing; call `adoptDead()` later: its first
   * successful read also returns this client's own entries.
   */
  load(): OutboxEntry[] {
    this.#loaded = false
    this.#seen.clear()
    return this.adoptDead()
  }

  /**
   * Claim the entries of owners that died (none of this client's own, except those a `load()` could
   * not read). Only a claim that was persisted counts: while storage refuses it another tab may still
   * take them, so this returns nothing and a later call tries again.
   */
  adoptDead(): OutboxEntry[] {
    if (this.#lease.passive) return []
    const read = this.#read()
    if (!read) return []
    const { raw, list } = read
    const owner = this.#lease.ownerId
    const own: OwnedOutboxEntry[] = []
    if (this.#loaded === false) {
      this.#loaded = true
      for (const e of list) {
        if (e.owner !== owner) continue
        if (e.status === 'queued') this.#queued.add(e.id)
        if (!this.#seen.has(e.id)) own.push(e)
      }
    }
    // One liveness check per owner, not per entry: each check reads and parses a heartbeat key.
    const dead = new Map<string, boolean>()
    const isDead = (o: string): boolean => dead.get(o) ?? dead.set(o, this.#lease.isDead(o)).get(o)!
    const taken = new Set(list.filter(e => e.owner !== owner && isDead(e.owner)))
    if (taken.size > 0 && this.#write(list.map(e => (taken.has(e) ? { ...e, owner } : e)))) {
      for (const e of taken) if (!this.#seen.has(e.id)) own.push(e)
    }
    // A refused write may have removed the stored value (Web Storage frees quota that way): put it back.
    else if (taken.size > 0 && raw !== null) writeItem(this.#storage, this.key, raw)
    for (const e of own) this.#seen.add(e.id)
    return own.map(strip)
  }

  /**
   * Storage may still hold a copy of this client's send `id` that says `queued`: writing it to a
   * socket now could store it twice (a later page would adopt and send that copy).
   */
  mayBeQueued(id: string): boolean {
    return this.#queued.has(id)
  }

  /**
   * Replace this client's entries with `entries`, keeping other owners' untouched. `true` once
   * persisted; otherwise this client's older stored entries are removed, so that no tab adopts a
   * stale state (a message since sent, still `queued` there, would be sent twice). Storage that
   * cannot be read is left as it is.
   */
  save(entries: readonly OutboxEntry[]): boolean {
    if (this.#lease.passive) return true
    const owner = this.#lease.ownerId
    for (const e of entries) this.#seen.add(e.id)
    const read = this.#read()
    if (!read) return false
    const others = read.list.filter(e => e.owner !== owner)
    // Stored entries of this owner a failed `load()` never returned stay, for `adoptDead()` to return.
    const unread = this.#loaded === false ? read.list.filter(e => e.owner === owner && !this.#seen.has(e.id)) : []
    if (this.#write([...others, ...unread, ...entries.map(e => ({ ...e, owner }))])) return true
    // Dropping the other owners' entries too is the last resort (what Web Storage adapters do on quota).
    const kept = [...others, ...unread]
    if (kept.length === read.list.length) this.#queued.clear()
    else if (!this.#write(kept) && unread.length === 0 && removeItem(this.#storage, this.key)) {
      this.#queued.clear()
      this.#mine.clear()
    }
    return false
  }

  /**
   * Ids this client stored as its own that storage no longer holds under it: another tab judged
   * this one dead (a throttled background tab without Web Locks) and adopted them, so that tab sends
   * them, not this one.
   */
  claimedElsewhere(): string[] {
    if (this.#mine.size === 0) return []
    const read = this.#read()
    if (!read) return []
    const owner = this.#lease.ownerId
    const still = new Set(read.list.filter(e => e.owner === owner).map(e => e.id))
    const claimed = [...this.#mine].filter(id => !still.has(id))
    for (const id of claimed) this.#mine.delete(id)
    return claimed
  }
}
