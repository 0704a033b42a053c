/**
 * Persistence of unsent own messages (the timeline's outbox) through the storage adapter. Each
 * entry names its owner: a client adopts only entries whose owner is dead (see `OwnerLease`), and
 * only once its claim is persisted, so two live tabs never resend each other's messages.
 */
import { removeItem, writeItem } from './safe-storage'
import { storageKeys, type StorageKeys } from './storage-keys'
import type { OutboxEntry } from '../timeline/timeline'
import type { OwnerLease } from './owner-lease'
import { indexPeer } from './user-data'
import type { StorageAdapter, UserId } from '../types'

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
