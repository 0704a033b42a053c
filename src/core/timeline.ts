/**
 * One conversation's timeline: pure reconciliation of history replays, live frames and local sends.
 * No I/O, no timers: time comes from `now()`. CONTRACT FILE: the public members below are what
 * the runtime (conversation.ts) calls; implementations may add members but not change these.
 *
 * Layout: `confirmed` holds stored messages in server order (replay order, then live arrivals in
 * broadcast order); `unsent` holds own messages that are not `sent`, in send order. `messages()` is
 * `confirmed` followed by `unsent`.
 */
import type { ChatErrorCode } from './errors'
import type { HistoryFrame, LiveFrame } from './protocol'
import type { ChatMessage, MessageStatus, UserId } from './types'

/** What an own unsent message looks like in persistent storage (see outbox.ts). */
export interface OutboxEntry {
  /** Stable client id (ChatMessage.id). */
  readonly id: string
  readonly content: string
  /** Epoch ms of the send() call. */
  readonly createdAt: number
  readonly status: 'queued' | 'pending' | 'unknown' | 'failed'
  /**
   * How many messages from me with this exact content the server had stored (as far as this client
   * knew) when the message was first written to a socket. A replay can only prove this message stored
   * by an occurrence after that many: an older identical message never confirms a newer send.
   * `null` while it was never written to a socket.
   */
  readonly priorOccurrences: number | null
  readonly error?: ChatErrorCode
}

export interface TimelineOptions {
  selfId: UserId
  peerId: UserId
  now: () => number
  /** New stable message id. @default crypto.randomUUID-like counter */
  newId?: () => string
  /**
   * A live frame that arrives within this many ms of the previous replay frame (or previous gap
   * duplicate) and repeats the replay's tail in order is the join/history race duplicate and is
   * dropped. @default 250
   */
  gapWindowMs?: number
}

/** What applyLive() did with a frame. */
export type LiveOutcome =
  /** Matched my oldest pending send with this text (FIFO): now `sent`. */
  | 'echo'
  /** From me but no pending send matches (another tab / device): added as `sent`. */
  | 'own-elsewhere'
  /** New message from the peer. */
  | 'peer'
  /** Repeat of the replay's tail caused by the server's join-before-history race: dropped. */
  | 'gap-duplicate'
  /** Neither me nor the peer: ignored. */
  | 'foreign'
  /**
   * Added member: the frame may be the start of a multi-frame gap duplicate and is held back (not
   * visible) until the next frame decides. Held frames are released as real messages as soon as the
   * sequence breaks, the window passes (see `settle()` / `gapDeadline()`), the socket drops or a new
   * replay begins; never lost.
   */
  | 'held'

export interface ReplayResult {
  /** Server messages that were not in the local timeline (new to this client). */
  readonly inserted: number
  /** Local messages the replay confirmed (`pending`/`unknown` → `sent`). */
  readonly confirmed: number
  /** Own messages the replay proved lost: back to `queued`, to be resent. */
  readonly requeued: number
  /** Local copies the replay proved phantom (duplicates): removed. */
  readonly removed: number
}

/** Default of `TimelineOptions.gapWindowMs`. */
export const DEFAULT_GAP_WINDOW_MS = 250
/** How many trailing replay messages a gap-duplicate sequence may repeat (the race lasts a few ms). */
export const GAP_MAX_FRAMES = 64

const EMPTY_RESULT: ReplayResult = Object.freeze({ inserted: 0, confirmed: 0, requeued: 0, removed: 0 })

/** Internal mutable record behind one frozen ChatMessage. */
interface Entry {
  readonly id: string
  readonly mine: boolean
  readonly content: string
  createdAt: string
  /** Epoch ms of send() for own messages (outbox), of receipt/storage otherwise. */
  readonly sentAt: number
  serverTime: boolean
  status: MessageStatus
  serverRead: boolean
  prior: number | null
  error: ChatErrorCode | undefined
  /** Cached frozen view; `null` after any change. */
  msg: ChatMessage | null
  /** Next candidate with the same key during an alignment pass. */
  next: Entry | null
  /** Generation of the last replay that matched this entry. */
  mark: number
  /** Order in which own messages were written to a socket (0 = never). */
  seq: number
}

// A literal factory rather than a class with fields: one stable shape, no [[Define]] field semantics.
function newEntry(id: string, mine: boolean, content: string, createdAt: string, sentAt: number, serverTime: boolean, status: MessageStatus, serverRead: boolean, prior: number | null, error: ChatErrorCode | undefined): Entry {
  return { id, mine, content, createdAt, sentAt, serverTime, status, serverRead, prior, error, msg: null, next: null, mark: 0, seq: 0 }
}

/** Per-key state of one alignment pass. */
interface Slot {
  head: Entry | null
  /** Own replay occurrences of this content seen so far. */
  seen: number
}

let idPrefixCounter = 0
function defaultIdFactory(): () => string {
  // Short enough that ids stay flat strings (V8 makes cons strings from 13 characters on).
  const prefix = `${Math.floor(Math.random() * 1_679_616).toString(36)}${(idPrefixCounter++).toString(36)}.`
  let n = 0
  return () => prefix + (n++).toString(36)
}

function isoOf(ms: number): string {
  return new Date(ms).toISOString()
}

function isUnsentCandidate(e: Entry): boolean {
  return e.status === 'pending' || e.status === 'unknown' || (e.status === 'queued' && e.prior !== null)
}

const OUTBOX_STATUSES = new Set(['queued', 'pending', 'unknown', 'failed'])

/**
 * One conversation's message list, reconciled from history replays, live frames and local sends.
 * Pure: no I/O and no timers. Every ChatMessage it returns is frozen and replaced by a new object
 * on any change, so UIs can compare by identity.
 *
 * @example
 * const tl = new Timeline({ selfId: '1', peerId: '2', now: Date.now })
 * tl.beginReplay(); for (const f of historyFrames) tl.addReplayFrame(f); tl.endReplay()
 * tl.enqueue('hi'); for (const m of tl.takeQueued()) socket.send(encodeMessage(m.content))
 */
export class Timeline {
  private readonly selfId: UserId
  private readonly peerId: UserId
  private readonly now: () => number
  private readonly newId: () => string
  private readonly gapWindowMs: number

  private confirmed: Entry[] = []
  private unsent: Entry[] = []
  private peerCount = 0
  private readMarker = 0
  private ver = 0
  private generation = 0
  private writeSeq = 0

  private cache: readonly ChatMessage[] | null = null
  private cacheVersion = -1
  private cachedUnread = 0
  /** Own `sent` messages per content (for priorOccurrences); `null` = rebuild on demand. */
  private ownSentCounts: Map<string, number> | null = null

  private isReplaying = false
  private buffer: HistoryFrame[] = []
  /**
   * First load into an empty timeline: entries are built as frames arrive and frames are not kept,
   * which halves what the garbage collector has to carry through a large replay.
   */
  private coldEntries: Entry[] | null = null
  private lastReplayFrameAt = 0

  private gapActive = false
  private gapLastAt = 0
  /** Trailing replay keys, oldest first: `mine` flags and contents. */
  private gapMine: boolean[] = []
  private gapContent: string[] = []
  private gapCandidates: number[] = []
  /** Live frames consumed by the current duplicate sequence (dropped or held). */
  private gapLength = 0
  /** Frames after the last complete duplicate sequence, waiting for the next frame to decide. */
  private held: LiveFrame[] = []

  constructor(options: TimelineOptions) {
    this.selfId = options.selfId
    this.peerId = options.peerId
    this.now = options.now
    this.newId = options.newId ?? defaultIdFactory()
    this.gapWindowMs = options.gapWindowMs ?? DEFAULT_GAP_WINDOW_MS
  }

  /** Increments on every visible change. */
  get version(): number {
    return this.ver
  }

  /** True between beginReplay() and endReplay(). */
  get replaying(): boolean {
    return this.isReplaying
  }

  /** Read marker: number of peer messages read. */
  get readCount(): number {
    return this.readMarker
  }

  /** Peer messages that are not read (by the marker or by the server's `is_read`). */
  get unreadCount(): number {
    this.messages()
    return this.cachedUnread
  }

  private changed(): void {
    this.ver++
  }

  private entry(mine: boolean, content: string, createdAt: string, sentAt: number, serverTime: boolean, status: MessageStatus, serverRead: boolean, prior: number | null, error: ChatErrorCode | undefined): Entry {
    return newEntry(this.newId(), mine, content, createdAt, sentAt, serverTime, status, serverRead, prior, error)
  }

  private materialise(e: Entry, isRead: boolean): ChatMessage {
    const mine = e.mine
    const m: ChatMessage = e.error === undefined
      ? { id: e.id, senderId: mine ? this.selfId : this.peerId, receiverId: mine ? this.peerId : this.selfId, content: e.content, createdAt: e.createdAt, serverTime: e.serverTime, status: e.status, isMine: mine, isRead }
      : { id: e.id, senderId: mine ? this.selfId : this.peerId, receiverId: mine ? this.peerId : this.selfId, content: e.content, createdAt: e.createdAt, serverTime: e.serverTime, status: e.status, isMine: mine, isRead, error: e.error }
    return Object.freeze(m)
  }

  private view(e: Entry): ChatMessage {
    const m = e.msg
    if (m !== null && m.isRead === false) return m
    return (e.msg = this.materialise(e, false))
  }

  /** Messages in display order: server order, then live arrivals, then own unsent. Same array until a change. */
  messages(): readonly ChatMessage[] {
    if (this.cache !== null && this.cacheVersion === this.ver) return this.cache
    const out: ChatMessage[] = []
    const readCount = this.readMarker
    let peerIndex = 0
    let unread = 0
    const confirmed = this.confirmed
    for (let i = 0; i < confirmed.length; i++) {
      const e = confirmed[i] as Entry
      let isRead = e.serverRead
      if (!e.mine) {
        if (peerIndex < readCount) isRead = true
        peerIndex++
        if (!isRead) unread++
      }
      let m = e.msg
      if (m === null || m.isRead !== isRead) m = e.msg = this.materialise(e, isRead)
      out.push(m)
    }
    const unsent = this.unsent
    for (let i = 0; i < unsent.length; i++) out.push(this.view(unsent[i] as Entry))
    this.cache = Object.freeze(out)
    this.cacheVersion = this.ver
    this.cachedUnread = unread
    return this.cache
  }

  // ---------------------------------------------------------------------------------------------
  // Replay

  /** A socket opened: start buffering a replay. Nothing visible changes until endReplay(). */
  beginReplay(): void {
    this.releaseHeld()
    this.gapActive = false
    this.isReplaying = true
    this.buffer = []
    this.coldEntries = this.confirmed.length === 0 && !this.unsent.some(isUnsentCandidate) ? [] : null
    this.lastReplayFrameAt = this.now()
    // Anything still pending was written to a previous socket: only this replay can tell.
    let any = false
    for (const e of this.unsent) {
      if (e.status === 'pending') {
        e.status = 'unknown'
        e.msg = null
        any = true
      }
    }
    if (any) this.changed()
  }

  /** One history frame of the current replay. Ignored outside a replay (a late frame must not start a partial one). */
  addReplayFrame(frame: HistoryFrame): void {
    if (!this.isReplaying) return
    const cold = this.coldEntries
    if (cold !== null) {
      const mine = frame.senderId === this.selfId
      if (mine || frame.senderId === this.peerId) cold.push(newEntry(this.newId(), mine, frame.content, frame.timestamp, frame.time, true, 'sent', frame.isRead, null, undefined))
    }
    else {
      this.buffer.push(frame)
    }
    this.lastReplayFrameAt = this.now()
  }

  /**
   * The replay is over (first live frame, or quiet period). Align the buffered replay with the local
   * timeline as a multiset in order, in one linear pass: matched messages take server time and
   * `is_read`; unmatched server messages are inserted; own `pending`/`unknown` not in the replay go
   * back to `queued`; `sent`/peer copies not in the replay are removed as phantoms.
   */
  endReplay(): ReplayResult {
    if (!this.isReplaying) return EMPTY_RESULT
    this.isReplaying = false
    const cold = this.coldEntries
    this.coldEntries = null
    if (cold !== null) {
      if (!this.unsent.some(isUnsentCandidate)) return this.endColdReplay(cold)
      // A restore() during the replay brought sends to align: take the general path.
      for (const e of cold) this.buffer.push({ kind: 'history', senderId: e.mine ? this.selfId : this.peerId, receiverId: e.mine ? this.peerId : this.selfId, content: e.content, timestamp: e.createdAt, time: e.sentAt, isRead: e.serverRead })
    }
    const frames = this.buffer
    this.buffer = []
    const gen = ++this.generation
    const self = this.selfId
    const peer = this.peerId
    const confirmed = this.confirmed
    const unsent = this.unsent

    const own = new Map<string, Slot>()
    const theirs = new Map<string, Slot>()
    let ownCandidates = false
    for (let k = unsent.length - 1; k >= 0; k--) {
      const e = unsent[k] as Entry
      if (!isUnsentCandidate(e)) continue
      let slot = own.get(e.content)
      if (slot === undefined) own.set(e.content, slot = { head: null, seen: 0 })
      e.next = slot.head
      slot.head = e
      ownCandidates = true
    }

    const out: Entry[] = []
    let inserted = 0
    let matchedUnsent = 0
    let dirty = false
    let peerCount = 0
    const n = frames.length
    let i = 0
    let ci = 0

    // Common case first: the replay starts with exactly what we already show, in order.
    for (; i < n && ci < confirmed.length; i++) {
      const f = frames[i] as HistoryFrame
      const mine = f.senderId === self
      if (!mine && f.senderId !== peer) continue
      const e = confirmed[ci] as Entry
      if (e.mine !== mine || e.content !== f.content) break
      if (mine) {
        if (ownCandidates) {
          const slot = own.get(f.content)
          if (slot !== undefined) slot.seen++
        }
      }
      else {
        peerCount++
      }
      if (e.createdAt !== f.timestamp || !e.serverTime || e.serverRead !== f.isRead) {
        e.createdAt = f.timestamp
        e.serverTime = true
        e.serverRead = f.isRead
        e.msg = null
        dirty = true
      }
      e.mark = gen
      out.push(e)
      ci++
    }
    const prefixConsumedAll = i === n && ci === confirmed.length

    if (!prefixConsumedAll) {
      for (let k = confirmed.length - 1; k >= ci; k--) {
        const e = confirmed[k] as Entry
        const map = e.mine ? own : theirs
        let slot = map.get(e.content)
        if (slot === undefined) map.set(e.content, slot = { head: null, seen: 0 })
        e.next = slot.head
        slot.head = e
      }
      const lookup = own.size > 0 || theirs.size > 0
      for (; i < n; i++) {
        const f = frames[i] as HistoryFrame
        const mine = f.senderId === self
        if (!mine && f.senderId !== peer) continue
        let match: Entry | null = null
        if (lookup) {
          const slot = (mine ? own : theirs).get(f.content)
          if (slot !== undefined) {
            const seen = mine ? ++slot.seen : 0
            const h = slot.head
            // An unsent own candidate may only take an occurrence after the ones it already knew of.
            if (h !== null && (h.status === 'sent' || seen > (h.prior ?? 0))) {
              match = h
              slot.head = h.next
              h.next = null
            }
          }
        }
        if (match === null) {
          match = newEntry(this.newId(), mine, f.content, f.timestamp, f.time, true, 'sent', f.isRead, null, undefined)
          inserted++
        }
        else {
          if (match.status !== 'sent') {
            this.confirmedOwn(match)
            match.status = 'sent'
            match.prior = null
            match.error = undefined
            matchedUnsent++
            match.createdAt = f.timestamp
            match.serverTime = true
            match.serverRead = f.isRead
            match.msg = null
          }
          else if (match.createdAt !== f.timestamp || !match.serverTime || match.serverRead !== f.isRead) {
            match.createdAt = f.timestamp
            match.serverTime = true
            match.serverRead = f.isRead
            match.msg = null
          }
        }
        match.mark = gen
        if (!mine) peerCount++
        out.push(match)
      }
    }

    let removed = 0
    for (let k = ci; k < confirmed.length; k++) {
      const e = confirmed[k] as Entry
      e.next = null
      if (e.mark !== gen) removed++
    }

    let requeued = 0
    let keep: Entry[] = unsent
    if (ownCandidates) {
      keep = []
      for (const e of unsent) {
        e.next = null
        if (e.mark === gen) continue
        if (isUnsentCandidate(e)) {
          // Proven not stored: it has never been written since, so it knows no occurrences.
          e.prior = null
          if (e.status !== 'queued') {
            e.status = 'queued'
            e.msg = null
          }
          requeued++
        }
        keep.push(e)
      }
    }

    this.confirmed = prefixConsumedAll ? confirmed : out
    this.unsent = keep
    this.peerCount = peerCount
    this.ownSentCounts = null
    if (dirty || !prefixConsumedAll || requeued > 0 || matchedUnsent > 0) this.changed()

    this.startGapWatch(frames.length, k => (frames[k] as HistoryFrame).senderId === self, k => (frames[k] as HistoryFrame).senderId === peer, k => (frames[k] as HistoryFrame).content)
    return { inserted, confirmed: matchedUnsent, requeued, removed }
  }

  private endColdReplay(entries: Entry[]): ReplayResult {
    this.generation++
    let peerCount = 0
    for (let k = 0; k < entries.length; k++) if (!(entries[k] as Entry).mine) peerCount++
    this.confirmed = entries
    this.peerCount = peerCount
    this.ownSentCounts = null
    if (entries.length > 0) this.changed()
    this.startGapWatch(entries.length, k => (entries[k] as Entry).mine, k => !(entries[k] as Entry).mine, k => (entries[k] as Entry).content)
    return { inserted: entries.length, confirmed: 0, requeued: 0, removed: 0 }
  }

  // ---------------------------------------------------------------------------------------------
  // Gap duplicates (the server joins the group before it reads the history)

  private startGapWatch(count: number, isMine: (k: number) => boolean, isPeer: (k: number) => boolean, contentAt: (k: number) => string): void {
    const mineFlags: boolean[] = []
    const contents: string[] = []
    for (let k = count - 1; k >= 0 && contents.length < GAP_MAX_FRAMES; k--) {
      const mine = isMine(k)
      if (!mine && !isPeer(k)) continue
      mineFlags.push(mine)
      contents.push(contentAt(k))
    }
    mineFlags.reverse()
    contents.reverse()
    this.gapMine = mineFlags
    this.gapContent = contents
    this.gapCandidates = []
    this.gapLength = 0
    this.held = []
    this.gapActive = contents.length > 0
    this.gapLastAt = this.lastReplayFrameAt
  }

  private releaseHeld(): number {
    const held = this.held
    if (held.length === 0) return 0
    this.held = []
    this.gapCandidates = []
    for (const f of held) this.applyFresh(f)
    return held.length
  }

  /**
   * Epoch ms at which held-back frames must be released (call `settle()` then), or `null` when
   * nothing is held. Added member.
   */
  gapDeadline(): number | null {
    return this.gapActive && this.held.length > 0 ? this.gapLastAt + this.gapWindowMs : null
  }

  /**
   * Release held-back frames as real messages once the gap window has passed. Returns how many were
   * released (they are visible now). Safe to call at any time. Added member.
   */
  settle(): number {
    if (!this.gapActive || this.now() - this.gapLastAt <= this.gapWindowMs) return 0
    this.gapActive = false
    return this.releaseHeld()
  }

  /** A live frame after the replay ended. */
  applyLive(frame: LiveFrame): LiveOutcome {
    if (this.isReplaying) this.endReplay()
    const mine = frame.senderId === this.selfId
    if (!mine && frame.senderId !== this.peerId) return 'foreign'
    if (this.gapActive) {
      const t = this.now()
      if (t - this.gapLastAt > this.gapWindowMs) {
        this.gapActive = false
        this.releaseHeld()
      }
      else {
        const outcome = this.gapStep(frame, mine)
        if (outcome !== null) {
          this.gapLastAt = t
          return outcome
        }
      }
    }
    return this.applyFresh(frame)
  }

  /**
   * Decide one frame against the replay tail: the live frames L1..Lk are a gap duplicate when they
   * equal the replay suffix R[n-k..n-1]. The longest such k within the window wins (several messages
   * stored in the race may be identical). Frames are held while only a longer suffix could still
   * explain them; `null` means "not a duplicate, apply it" (held frames are released first).
   */
  private gapStep(frame: LiveFrame, mine: boolean): LiveOutcome | null {
    const keysMine = this.gapMine
    const keysContent = this.gapContent
    const last = keysContent.length - 1
    const j = this.gapLength
    const next: number[] = []
    let completes = false
    if (j === 0) {
      for (let s = last; s >= 0; s--) {
        if (keysMine[s] === mine && keysContent[s] === frame.content) {
          if (s === last) completes = true
          else next.push(s)
        }
      }
    }
    else {
      for (const s of this.gapCandidates) {
        const p = s + j
        if (keysMine[p] === mine && keysContent[p] === frame.content) {
          if (p === last) completes = true
          else next.push(s)
        }
      }
    }
    this.gapLength = j + 1
    this.gapCandidates = next
    if (completes) {
      // Everything since the sequence began is a duplicate; a longer suffix may still extend it.
      this.held = []
      if (next.length === 0) this.gapActive = false
      return 'gap-duplicate'
    }
    if (next.length > 0) {
      this.held.push(frame)
      return 'held'
    }
    this.gapActive = false
    this.releaseHeld()
    return null
  }

  private applyFresh(frame: LiveFrame): LiveOutcome {
    const content = frame.content
    if (frame.senderId === this.selfId) {
      const unsent = this.unsent
      let index = -1
      for (let k = 0; k < unsent.length; k++) {
        const e = unsent[k] as Entry
        if (e.status === 'pending' && e.content === content) {
          index = k
          break
        }
      }
      if (index < 0) {
        for (let k = 0; k < unsent.length; k++) {
          const e = unsent[k] as Entry
          if (e.status === 'unknown' && e.content === content) {
            index = k
            break
          }
        }
      }
      let outcome: LiveOutcome
      if (index >= 0) {
        const e = unsent[index] as Entry
        unsent.splice(index, 1)
        this.confirmedOwn(e)
        e.status = 'sent'
        e.prior = null
        e.msg = null
        this.confirmed.push(e)
        outcome = 'echo'
      }
      else {
        const t = this.now()
        this.confirmed.push(this.entry(true, content, isoOf(t), t, false, 'sent', false, null, undefined))
        outcome = 'own-elsewhere'
      }
      const counts = this.ownSentCounts
      if (counts !== null) counts.set(content, (counts.get(content) ?? 0) + 1)
      this.changed()
      return outcome
    }
    if (frame.senderId !== this.peerId) return 'foreign'
    const t = this.now()
    this.confirmed.push(this.entry(false, content, isoOf(t), t, false, 'sent', false, null, undefined))
    this.peerCount++
    this.changed()
    return 'peer'
  }

  // ---------------------------------------------------------------------------------------------
  // Local sends

  /** Add a local send as `queued` (or `failed` with `error`). */
  enqueue(content: string, error?: ChatErrorCode): ChatMessage {
    const t = this.now()
    const e = this.entry(true, content, isoOf(t), t, false, error === undefined ? 'queued' : 'failed', false, null, error)
    this.unsent.push(e)
    this.changed()
    return this.view(e)
  }

  /**
   * The `queued` messages, oldest first, now marked `pending` (caller writes them to the socket).
   * Returns `[]` during a replay: sends wait for its end so that nothing is stored twice.
   */
  takeQueued(): ChatMessage[] {
    if (this.isReplaying) return []
    const taken: ChatMessage[] = []
    let counts = this.ownSentCounts
    for (const e of this.unsent) {
      if (e.status !== 'queued') continue
      if (counts === null) counts = this.countOwnSent()
      e.status = 'pending'
      e.prior = counts.get(e.content) ?? 0
      e.seq = ++this.writeSeq
      e.msg = null
      taken.push(this.view(e))
    }
    if (taken.length > 0) this.changed()
    return taken
  }

  /**
   * `e` (an own send) is now known stored. Sends with the same text written after it learn one more
   * stored occurrence before them: after a reload, only a later occurrence can confirm them.
   */
  private confirmedOwn(e: Entry): void {
    for (const other of this.unsent) {
      if (other !== e && other.prior !== null && other.seq > e.seq && other.content === e.content) other.prior++
    }
  }

  private countOwnSent(): Map<string, number> {
    const counts = new Map<string, number>()
    for (const e of this.confirmed) {
      if (e.mine) counts.set(e.content, (counts.get(e.content) ?? 0) + 1)
    }
    this.ownSentCounts = counts
    return counts
  }

  /** The socket dropped: every `pending` becomes `unknown`. Held-back frames are released. */
  disconnected(): void {
    this.gapActive = false
    this.releaseHeld()
    let any = false
    for (const e of this.unsent) {
      if (e.status === 'pending') {
        e.status = 'unknown'
        e.msg = null
        any = true
      }
    }
    if (any) this.changed()
  }

  private findUnsent(id: string): Entry | undefined {
    for (const e of this.unsent) if (e.id === id) return e
    return undefined
  }

  /** `failed`/`unknown` own message back to `queued`. Returns false when no such message. */
  retry(id: string): boolean {
    const e = this.findUnsent(id)
    if (e === undefined || (e.status !== 'failed' && e.status !== 'unknown')) return false
    e.status = 'queued'
    e.error = undefined
    e.msg = null
    this.changed()
    return true
  }

  /** Remove an own message that is not `sent`. Returns false when no such message. */
  discard(id: string): boolean {
    const index = this.unsent.findIndex(e => e.id === id)
    if (index < 0) return false
    this.unsent.splice(index, 1)
    this.changed()
    return true
  }

  /** Mark an own message `failed` with a reason. */
  fail(id: string, error: ChatErrorCode): boolean {
    const e = this.findUnsent(id)
    if (e === undefined) return false
    e.status = 'failed'
    e.error = error
    e.msg = null
    this.changed()
    return true
  }

  /** Restore persisted unsent messages (after a reload); `pending` ones come back as `unknown`. Invalid or already known entries are skipped. */
  restore(entries: readonly OutboxEntry[]): void {
    if (!Array.isArray(entries)) return
    const known = new Set<string>()
    for (const e of this.unsent) known.add(e.id)
    let any = false
    for (const raw of entries) {
      if (typeof raw !== 'object' || raw === null) continue
      const { id, content, createdAt, status, priorOccurrences, error } = raw
      if (typeof id !== 'string' || known.has(id) || typeof content !== 'string' || typeof createdAt !== 'number' || !Number.isFinite(createdAt) || !OUTBOX_STATUSES.has(status)) continue
      const prior = typeof priorOccurrences === 'number' && Number.isSafeInteger(priorOccurrences) && priorOccurrences >= 0 ? priorOccurrences : null
      const restoredStatus: MessageStatus = status === 'pending' ? 'unknown' : status
      const reason = restoredStatus === 'failed' ? (typeof error === 'string' ? error as ChatErrorCode : 'invalid_message') : undefined
      const e = newEntry(id, true, content, isoOf(createdAt), createdAt, false, restoredStatus, false, restoredStatus === 'unknown' ? (prior ?? 0) : prior, reason)
      if (e.prior !== null) e.seq = ++this.writeSeq
      this.unsent.push(e)
      known.add(id)
      any = true
    }
    if (any) this.changed()
  }

  /** Own messages that are not `sent`, for persistence. */
  outbox(): OutboxEntry[] {
    return this.unsent.map(e => (e.error === undefined
      ? { id: e.id, content: e.content, createdAt: e.sentAt, status: e.status as OutboxEntry['status'], priorOccurrences: e.prior }
      : { id: e.id, content: e.content, createdAt: e.sentAt, status: e.status as OutboxEntry['status'], priorOccurrences: e.prior, error: e.error }))
  }

  // ---------------------------------------------------------------------------------------------
  // Read marker

  /** Set the read marker to every peer message so far; returns the new readCount. */
  markRead(): number {
    if (this.readMarker !== this.peerCount) {
      this.readMarker = this.peerCount
      this.changed()
    }
    return this.readMarker
  }

  /** Restore a persisted read marker. */
  setReadCount(count: number): void {
    const next = Number.isFinite(count) && count > 0 ? Math.floor(count) : 0
    if (next === this.readMarker) return
    this.readMarker = next
    this.changed()
  }
}
