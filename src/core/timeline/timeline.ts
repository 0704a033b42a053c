/**
 * One conversation's timeline: pure reconciliation of history replays, live frames and local sends.
 * No I/O, no timers: time comes from `now()`.
 *
 * Layout: `confirmed` holds the frozen stored messages themselves in server order (replay order, then
 * live arrivals in broadcast order); `unsent` holds own messages that are not `sent`, in send order.
 * `messages()` is `confirmed` followed by `unsent`.
 */
import type { ChatErrorCode } from '../errors'
import type { HistoryFrame, LiveFrame } from '../transport/protocol'
import type { ChatMessage, MessageStatus, UserId } from '../types'

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
  /**
   * Id of a new own send: it is persisted in the outbox and may be adopted by another tab, so it must
   * be unique across tabs and reloads (the client passes a random instance id + counter). Messages
   * that arrive from the server take short per-timeline ids of another shape (`<prefix>.<n>`, flat
   * strings: the cheap path for a 100k-message replay).
   * @default a per-timeline random prefix + counter
   */
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
   * The frame may be the start of a multi-frame gap duplicate and is held back (not
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

/** An own message that is not `sent` yet (few at a time): its outbox state behind a cached frozen view. */
interface Entry {
  readonly id: string
  readonly content: string
  readonly createdAt: string
  /** Epoch ms of send(). */
  readonly sentAt: number
  status: MessageStatus
  prior: number | null
  error: ChatErrorCode | undefined
  /** Cached frozen view; `null` after any change. */
  msg: ChatMessage | null
  /** Order in which it was written to a socket (0 = never). */
  seq: number
  /** Generation of the last replay that matched it. */
  mark: number
}

/** What a replay keeps of a history frame it cannot place yet (a frame, or a message back as one). */
interface Buffered {
  readonly senderId: UserId
  readonly content: string
  readonly timestamp: string
  readonly isRead: boolean
}

/** Per-key state of one alignment pass: stored candidates first, then own unsent ones, each in order. */
interface Slot {
  c: number[]
  cp: number
  u: Entry[]
  up: number
  /** Own replay occurrences of this content seen so far. */
  seen: number
}

let idPrefixCounter = 0
function defaultIdFactory(): (() => string) & { prefix: string } {
  // Short enough that ids stay flat strings (V8 makes cons strings from 13 characters on: the prefix
  // is at most 7 characters, mostly 6, so up to 1M ids). A decimal counter: `prefix + n` uses V8's
  // number-to-string fast path, where `(n).toString(36)` per message cost ~0.1x the JSON.parse floor.
  // The random part has a fixed width, so `k1` + `0` and `k` + `10` cannot both occur.
  const prefix = `${Math.floor(Math.random() * 1_679_616).toString(36).padStart(4, '0')}${(idPrefixCounter++).toString(36)}.`
  let n = 0
  return Object.assign(() => prefix + n++, { prefix })
}

const isoOf = (ms: number): string => new Date(ms).toISOString()
/** Largest |epoch ms| a Date can hold (ECMAScript time range); beyond it `toISOString()` throws. */
const MAX_DATE_MS = 8.64e15

const isCandidate = (e: Entry): boolean => e.status === 'pending' || e.status === 'unknown' || (e.status === 'queued' && e.prior !== null)

const OUTBOX_STATUSES = ['queued', 'pending', 'unknown', 'failed']
/** A NUL or an unpaired surrogate: text a server database refuses (Postgres does), failing the socket with 1011. */
export const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/

function slotOf(map: Map<string, Slot>, key: string): Slot {
  let slot = map.get(key)
  if (slot === undefined) map.set(key, slot = { c: [], cp: 0, u: [], up: 0, seen: 0 })
  return slot
}

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
  readonly #selfId: UserId
  readonly #peerId: UserId
  readonly #now: () => number
  readonly #newId: () => string
  /** Ids of messages that came from the server (replay, live): short, flat, unique per timeline. */
  readonly #storedId = defaultIdFactory()
  readonly #gapWindowMs: number

  /** Stored messages (all `sent`), the frozen views themselves: one record per message. */
  #confirmed: ChatMessage[] = []
  /**
   * Ids of peer messages that show `isRead` only because of the read marker (the server's `is_read`
   * is false): empty until a marker applies, so ingest keeps no per-message side state.
   */
  #markerRead = new Set<string>()
  #unsent: Entry[] = []
  /** Own messages in `confirmed` that show `isRead` only because of a peer read receipt. */
  #receiptRead = new Set<string>()
  /** Peer read receipts: the first this many own stored messages (server order) are read by the peer. */
  #peerRead = 0
  /**
   * The timeline held at least `#peerRead` own stored messages since the count was set (a receipt, or
   * a replay after a restore): a replay holding fewer then means the server lost some.
   */
  #peerReadProven = false
  /** `version` right after the receipts were last applied. */
  #peerReadVer = -1
  #peers = 0
  #unread = 0
  #readMarker = 0
  #ver = 0
  #generation = 0
  #writeSeq = 0

  #cache: readonly ChatMessage[] | null = null
  #cacheVersion = -1
  /** What the last `takeQueued()` changed in each message it took (occurrences, write order), for `hold()`. */
  readonly #taken = new Map<string, [number | null, number]>()
  /** Own `sent` messages per content (for priorOccurrences); `null` = rebuild on demand. */
  #ownSentCounts: Map<string, number> | null = null

  // A replay is aligned as it arrives: frames that repeat `confirmed` in order are only counted,
  // frames past its end are built into messages at once; only frames after a divergence are kept.
  #isReplaying = false
  #rPrefix = 0
  #rPeers = 0
  #patchAt: number[] = []
  #patchTime: string[] = []
  #patchRead: boolean[] = []
  /** Messages past the end of `confirmed` while no own send awaits proof; `null` when not allowed. */
  #fresh: ChatMessage[] | null = null
  #buffer: Buffered[] = []
  #lastReplayFrameAt = 0
  /** Frames of this conversation in the current replay. */
  #rCount = 0
  /** Messages the last completed replay held: the server log only grows, so no later replay is shorter. */
  #stored = 0

  #gapActive = false
  #gapLastAt = 0
  /** Trailing replay keys, oldest first: `mine` flags and contents. */
  #gapMine: boolean[] = []
  #gapContent: string[] = []
  #gapCandidates: number[] = []
  /** Live frames consumed by the current duplicate sequence (dropped or held). */
  #gapLength = 0
  /** Frames after the last complete duplicate sequence, waiting for the next frame to decide. */
  #held: LiveFrame[] = []

  constructor(options: TimelineOptions) {
    this.#selfId = options.selfId
    this.#peerId = options.peerId
    this.#now = options.now
    this.#newId = options.newId ?? this.#storedId
    this.#gapWindowMs = options.gapWindowMs ?? DEFAULT_GAP_WINDOW_MS
  }

  /** Increments on every visible change. */
  get version(): number {
    return this.#ver
  }

  /** True between beginReplay() and endReplay(). */
  get replaying(): boolean {
    return this.#isReplaying
  }

  /** Read marker: number of peer messages read. */
  get readCount(): number {
    return this.#readMarker
  }

  /** Peer messages that are not read (by the marker or by the server's `is_read`). O(1). */
  get unreadCount(): number {
    return this.#unread
  }

  /** Visible messages from the peer. O(1). */
  get peerCount(): number {
    return this.#peers
  }

  /** Some own message is `queued`, `pending` or `unknown`. */
  get hasPending(): boolean {
    return this.#unsent.some(e => e.status !== 'failed')
  }

  #changed(): void {
    this.#ver++
  }

  #make(id: string, mine: boolean, content: string, createdAt: string, serverTime: boolean, status: MessageStatus, isRead: boolean, error?: ChatErrorCode): ChatMessage {
    const self = this.#selfId
    const peer = this.#peerId
    const m: { -readonly [K in keyof ChatMessage]: ChatMessage[K] } = { id, senderId: mine ? self : peer, receiverId: mine ? peer : self, content, createdAt, serverTime, status, isMine: mine, isRead }
    if (error) m.error = error
    return Object.freeze(m)
  }

  #view(e: Entry): ChatMessage {
    return e.msg ??= this.#make(e.id, true, e.content, e.createdAt, false, e.status, false, e.error)
  }

  /** The server's `is_read` of a stored message. */
  #srv(m: ChatMessage): boolean {
    return m.isRead && !this.#markerRead.has(m.id) && !this.#receiptRead.has(m.id)
  }

  /** Record whether `m` is read only by the marker, given the server's `is_read`. */
  #note(m: ChatMessage, srv: boolean): ChatMessage {
    const set = this.#markerRead
    if (m.isRead && !srv) set.add(m.id)
    else if (set.size > 0) set.delete(m.id)
    return m
  }

  /** `m` with other server fields; `isRead` keeps a read marker's verdict. */
  #restamp(m: ChatMessage, createdAt: string, read: boolean): ChatMessage {
    const isRead = read || (!m.isMine && m.isRead && !this.#srv(m))
    return this.#note(m.createdAt === createdAt && m.serverTime && m.isRead === isRead ? m : this.#make(m.id, m.isMine, m.content, createdAt, true, 'sent', isRead), read)
  }

  /** Messages in display order: server order, then live arrivals, then own unsent. Same array until a change. */
  messages(): readonly ChatMessage[] {
    if (this.#cache === null || this.#cacheVersion !== this.#ver) {
      const out = this.#confirmed.slice()
      for (const e of this.#unsent) out.push(this.#view(e))
      this.#cache = Object.freeze(out)
      this.#cacheVersion = this.#ver
    }
    return this.#cache
  }

  /** The last `count` visible peer messages, oldest first. */
  lastPeerMessages(count: number): ChatMessage[] {
    const out: ChatMessage[] = []
    const list = this.#confirmed
    for (let k = list.length - 1; k >= 0 && out.length < count; k--) {
      const m = list[k] as ChatMessage
      if (!m.isMine) out.push(m)
    }
    return out.reverse()
  }

  /** The own unsent message with this id. */
  unsentMessage(id: string): ChatMessage | undefined {
    const e = this.#findUnsent(id)
    return e && this.#view(e)
  }

  /** Recount peers and unread, and apply the read marker to every peer message. */
  #recount(): void {
    const list = this.#confirmed
    const old = this.#markerRead
    const next = new Set<string>()
    const marker = this.#readMarker
    let peers = 0
    let unread = 0
    for (let k = 0; k < list.length; k++) {
      const m = list[k] as ChatMessage
      if (m.isMine) continue
      const srv = m.isRead && !old.has(m.id)
      const isRead = srv || peers < marker
      if (m.isRead !== isRead) list[k] = this.#make(m.id, false, m.content, m.createdAt, m.serverTime, 'sent', isRead)
      if (!isRead) unread++
      else if (!srv) next.add(m.id)
      peers++
    }
    // Messages a running replay built ahead are not shown yet: keep what is known about them.
    for (const m of this.#fresh ?? []) if (old.has(m.id)) next.add(m.id)
    this.#markerRead = next
    this.#peers = peers
    this.#unread = unread
  }

  // ---------------------------------------------------------------------------------------------
  // Replay

  /** A socket opened: start a replay. Nothing visible changes until endReplay(). */
  beginReplay(): void {
    this.#releaseHeld()
    this.#gapActive = false
    this.#isReplaying = true
    this.#rPrefix = 0
    this.#rPeers = 0
    this.#rCount = 0
    this.#patchAt = []
    this.#patchTime = []
    this.#patchRead = []
    this.#buffer = []
    this.#fresh = null
    this.#lastReplayFrameAt = this.#now()
    // Anything still pending was written to a previous socket: only this replay can tell.
    const any = this.#pendingToUnknown()
    if (!this.#unsent.some(isCandidate)) this.#fresh = []
    if (any) this.#changed()
  }

  /** One history frame of the current replay. Ignored outside a replay (a late frame must not start a partial one). */
  addReplayFrame(frame: HistoryFrame): void {
    if (!this.#isReplaying) return
    this.#lastReplayFrameAt = this.#now()
    const mine = frame.senderId === this.#selfId
    if (!mine && frame.senderId !== this.#peerId) return
    this.#rCount++
    if (this.#buffer.length === 0) {
      const k = this.#rPrefix
      const list = this.#confirmed
      if (k < list.length) {
        const m = list[k] as ChatMessage
        if (m.isMine === mine && m.content === frame.content) {
          if (m.createdAt !== frame.timestamp || !m.serverTime || this.#srv(m) !== frame.isRead) {
            this.#patchAt.push(k)
            this.#patchTime.push(frame.timestamp)
            this.#patchRead.push(frame.isRead)
          }
          this.#rPrefix = k + 1
          if (!mine) this.#rPeers++
          return
        }
      }
      else if (this.#fresh !== null) {
        const isRead = frame.isRead || (!mine && this.#rPeers < this.#readMarker)
        if (!mine) this.#rPeers++
        const m = this.#make(this.#storedId(), mine, frame.content, frame.timestamp, true, 'sent', isRead)
        if (isRead && !frame.isRead) this.#markerRead.add(m.id)
        this.#fresh.push(m)
        return
      }
    }
    this.#buffer.push(frame)
  }

  /**
   * Can the running replay be complete? `short`: fewer frames than the last completed replay held
   * (the server log only grows, so frames are still to come). `unproven`: no frame yet while own
   * sends wait for the replay to prove them stored (nothing known bounds the replay).
   */
  replayState(): 'complete' | 'short' | 'unproven' {
    if (this.#rCount < this.#stored) return 'short'
    return this.#rCount === 0 && this.#unsent.some(isCandidate) ? 'unproven' : 'complete'
  }

  /** A send awaiting proof appeared during a replay: messages built ahead go back to plain frames. */
  #unfresh(): void {
    const fresh = this.#fresh
    if (!this.#isReplaying || fresh === null) return
    this.#fresh = null
    for (let k = 0; k < fresh.length; k++) {
      const m = fresh[k] as ChatMessage
      this.#buffer.push({ senderId: m.senderId, content: m.content, timestamp: m.createdAt, isRead: this.#srv(m) })
    }
  }

  /**
   * The replay is over (first live frame, or quiet period). Align the replay with the local
   * timeline as a multiset in order, in one linear pass: matched messages take server time and
   * `is_read`; unmatched server messages are inserted; own `pending`/`unknown` not in the replay go
   * back to `queued`; `sent`/peer copies not in the replay are removed as phantoms.
   */
  endReplay(): ReplayResult {
    if (!this.#isReplaying) return EMPTY_RESULT
    this.#isReplaying = false
    const gen = ++this.#generation
    const list = this.#confirmed
    const prefix = this.#rPrefix
    const patched = this.#patchAt.length
    for (let p = 0; p < patched; p++) {
      const k = this.#patchAt[p] as number
      const read = this.#patchRead[p] as boolean
      list[k] = this.#restamp(list[k] as ChatMessage, this.#patchTime[p] as string, read)
    }
    this.#patchAt = []
    this.#patchTime = []
    this.#patchRead = []
    const fresh = this.#fresh
    const frames = this.#buffer
    this.#fresh = null
    this.#buffer = []
    const oldLength = list.length
    let inserted = 0
    let matchedUnsent = 0
    let removed = 0
    let requeued = 0

    if (frames.length === 0) {
      if (prefix < oldLength) {
        removed = oldLength - prefix
        list.length = prefix
      }
      if (fresh !== null && fresh.length > 0) {
        inserted = fresh.length
        if (oldLength === 0) this.#confirmed = fresh
        else for (const m of fresh) list.push(m)
      }
    }
    else {
      const self = this.#selfId
      const marker = this.#readMarker
      const own = new Map<string, Slot>()
      const theirs = new Map<string, Slot>()
      let ownCandidates = false
      for (const e of this.#unsent) {
        if (isCandidate(e)) {
          slotOf(own, e.content).u.push(e)
          ownCandidates = true
        }
      }
      if (ownCandidates) {
        for (let k = 0; k < prefix; k++) {
          const m = list[k] as ChatMessage
          if (m.isMine) {
            const slot = own.get(m.content)
            if (slot !== undefined) slot.seen++
          }
        }
      }
      for (let k = prefix; k < oldLength; k++) {
        const m = list[k] as ChatMessage
        slotOf(m.isMine ? own : theirs, m.content).c.push(k)
      }
      const matched = new Uint8Array(oldLength)
      const out = list.slice(0, prefix)
      let peerIndex = this.#rPeers
      for (const f of frames) {
        const mine = f.senderId === self
        const slot = (mine ? own : theirs).get(f.content)
        const read = f.isRead
        let m: ChatMessage | null = null
        if (slot !== undefined) {
          const seen = mine ? ++slot.seen : 0
          if (slot.cp < slot.c.length) {
            const k = slot.c[slot.cp++] as number
            matched[k] = 1
            m = this.#restamp(list[k] as ChatMessage, f.timestamp, read)
          }
          else if (slot.up < slot.u.length) {
            const e = slot.u[slot.up] as Entry
            // An unsent own candidate may only take an occurrence after the ones it already knew of.
            if (seen > (e.prior ?? 0)) {
              slot.up++
              this.#confirmedOwn(e)
              e.mark = gen
              matchedUnsent++
              m = this.#make(e.id, true, e.content, f.timestamp, true, 'sent', read)
            }
          }
        }
        if (m === null) {
          m = this.#make(this.#storedId(), mine, f.content, f.timestamp, true, 'sent', read || (!mine && peerIndex < marker))
          inserted++
        }
        if (!mine) peerIndex++
        out.push(this.#note(m, read))
      }
      for (let k = prefix; k < oldLength; k++) if (matched[k] === 0) removed++
      this.#confirmed = out
    }
    if (fresh === null) {
      const keep: Entry[] = []
      for (const e of this.#unsent) {
        if (e.mark === gen) continue
        if (isCandidate(e)) {
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
      this.#unsent = keep
    }
    this.#ownSentCounts = null
    this.#stored = this.#confirmed.length
    this.#recount()
    if (patched > 0 || inserted > 0 || removed > 0 || requeued > 0 || matchedUnsent > 0) this.#changed()
    this.#replayedPeerRead()
    this.#startGapWatch()
    return { inserted, confirmed: matchedUnsent, requeued, removed }
  }

  // ---------------------------------------------------------------------------------------------
  // Gap duplicates (the server joins the group before it reads the history)

  /** The replay is now the tail of `confirmed`: watch for live repeats of its last keys. */
  #startGapWatch(): void {
    const list = this.#confirmed
    const from = Math.max(0, list.length - GAP_MAX_FRAMES)
    const mineFlags: boolean[] = []
    const contents: string[] = []
    for (let k = from; k < list.length; k++) {
      const m = list[k] as ChatMessage
      mineFlags.push(m.isMine)
      contents.push(m.content)
    }
    this.#gapMine = mineFlags
    this.#gapContent = contents
    this.#gapCandidates = []
    this.#gapLength = 0
    this.#held = []
    this.#gapActive = contents.length > 0
    this.#gapLastAt = this.#lastReplayFrameAt
  }

  #releaseHeld(): number {
    const held = this.#held
    if (held.length === 0) return 0
    this.#held = []
    this.#gapCandidates = []
    for (const f of held) this.#applyFresh(f)
    return held.length
  }

  /**
   * Epoch ms at which held-back frames must be released (call `settle()` then), or `null` when
   * nothing is held.
   */
  gapDeadline(): number | null {
    return this.#gapActive && this.#held.length > 0 ? this.#gapLastAt + this.#gapWindowMs : null
  }

  /**
   * Release held-back frames as real messages once the gap window has passed. Returns how many were
   * released (they are visible now). Safe to call at any time.
   */
  settle(): number {
    if (!this.#gapActive || !this.#gapOver(this.#now())) return 0
    this.#gapActive = false
    return this.#releaseHeld()
  }

  /**
   * The window ended by `t`. A clock that went back also ends it: kept open, it would hold frames and
   * take an own echo for a duplicate (and resend it) for the step's length.
   */
  #gapOver(t: number): boolean {
    const elapsed = t - this.#gapLastAt
    return elapsed < 0 || elapsed > this.#gapWindowMs
  }

  /** A live frame after the replay ended. */
  applyLive(frame: LiveFrame): LiveOutcome {
    if (this.#isReplaying) this.endReplay()
    const mine = frame.senderId === this.#selfId
    if (!mine && frame.senderId !== this.#peerId) return 'foreign'
    if (this.#gapActive) {
      const t = this.#now()
      if (this.#gapOver(t)) {
        this.#gapActive = false
        this.#releaseHeld()
      }
      else {
        const outcome = this.#gapStep(frame, mine)
        if (outcome !== null) {
          this.#gapLastAt = t
          return outcome
        }
      }
    }
    return this.#applyFresh(frame)
  }

  /**
   * Decide one frame against the replay tail: the live frames L1..Lk are a gap duplicate when they
   * equal the replay suffix R[n-k..n-1]. The longest such k within the window wins (several messages
   * stored in the race may be identical). Frames are held while only a longer suffix could still
   * explain them; `null` means "not a duplicate, apply it" (held frames are released first).
   */
  #gapStep(frame: LiveFrame, mine: boolean): LiveOutcome | null {
    const keysMine = this.#gapMine
    const keysContent = this.#gapContent
    const last = keysContent.length - 1
    const j = this.#gapLength
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
      for (const s of this.#gapCandidates) {
        const p = s + j
        if (keysMine[p] === mine && keysContent[p] === frame.content) {
          if (p === last) completes = true
          else next.push(s)
        }
      }
    }
    this.#gapLength = j + 1
    this.#gapCandidates = next
    if (completes) {
      // Everything since the sequence began is a duplicate; a longer suffix may still extend it.
      this.#held = []
      if (next.length === 0) this.#gapActive = false
      return 'gap-duplicate'
    }
    if (next.length > 0) {
      this.#held.push(frame)
      return 'held'
    }
    this.#gapActive = false
    this.#releaseHeld()
    return null
  }

  #applyFresh(frame: LiveFrame): LiveOutcome {
    const content = frame.content
    const mine = frame.senderId === this.#selfId
    if (!mine && frame.senderId !== this.#peerId) return 'foreign'
    const t = this.#now()
    let outcome: LiveOutcome = mine ? 'own-elsewhere' : 'peer'
    let m: ChatMessage | undefined
    if (mine) {
      const unsent = this.#unsent
      let index = unsent.findIndex(e => e.status === 'pending' && e.content === content)
      if (index < 0) index = unsent.findIndex(e => e.status === 'unknown' && e.content === content)
      const e = unsent[index]
      if (e !== undefined) {
        unsent.splice(index, 1)
        this.#confirmedOwn(e)
        m = this.#make(e.id, true, content, e.createdAt, false, 'sent', false)
        outcome = 'echo'
      }
      const counts = this.#ownSentCounts
      if (counts !== null) counts.set(content, (counts.get(content) ?? 0) + 1)
      // A restored receipt count can only cover own messages stored before this one.
      if (!this.#peerReadProven) this.#setPeerRead(Math.min(this.#peerRead, this.#confirmed.length - this.#peers), true)
    }
    else {
      const isRead = this.#peers++ < this.#readMarker
      if (!isRead) this.#unread++
      m = this.#note(this.#make(this.#storedId(), false, content, isoOf(t), false, 'sent', isRead), false)
    }
    this.#confirmed.push(m ?? this.#make(this.#storedId(), true, content, isoOf(t), false, 'sent', false))
    this.#changed()
    return outcome
  }

  // ---------------------------------------------------------------------------------------------
  // Local sends

  /** Add a local send as `queued` (or `failed` with `error`). */
  enqueue(content: string, error?: ChatErrorCode): ChatMessage {
    const t = this.#now()
    const e: Entry = { id: this.#newId(), content, createdAt: isoOf(t), sentAt: t, status: error === undefined ? 'queued' : 'failed', prior: null, error, msg: null, seq: 0, mark: 0 }
    this.#unsent.push(e)
    this.#changed()
    return this.#view(e)
  }

  /**
   * The `queued` messages, oldest first, now marked `pending` (caller writes them to the socket).
   * Returns `[]` during a replay: sends wait for its end so that nothing is stored twice.
   */
  takeQueued(): ChatMessage[] {
    if (this.#isReplaying) return []
    const taken: ChatMessage[] = []
    this.#taken.clear()
    for (const e of this.#unsent) {
      if (e.status !== 'queued') continue
      const counts = this.#ownSentCounts ??= this.#countOwnSent()
      this.#taken.set(e.id, [e.prior, e.seq])
      e.status = 'pending'
      e.prior = counts.get(e.content) ?? 0
      e.seq = ++this.#writeSeq
      e.msg = null
      taken.push(this.#view(e))
    }
    if (taken.length > 0) this.#changed()
    return taken
  }

  /**
   * `e` (an own send) is now known stored. Sends with the same text written after it learn one more
   * stored occurrence before them: after a reload, only a later occurrence can confirm them.
   */
  #confirmedOwn(e: Entry): void {
    for (const other of this.#unsent) {
      if (other !== e && other.prior !== null && other.seq > e.seq && other.content === e.content) other.prior++
    }
  }

  #countOwnSent(): Map<string, number> {
    const counts = new Map<string, number>()
    for (const m of this.#confirmed) {
      if (m.isMine) counts.set(m.content, (counts.get(m.content) ?? 0) + 1)
    }
    return counts
  }

  /** The socket dropped: every `pending` becomes `unknown`. Held-back frames are released. */
  disconnected(): void {
    this.#gapActive = false
    this.#releaseHeld()
    if (this.#pendingToUnknown()) this.#changed()
  }

  /** Every `pending` own message becomes `unknown` (its socket is gone); true when any did. */
  #pendingToUnknown(): boolean {
    let any = false
    for (const e of this.#unsent) {
      if (e.status === 'pending') {
        e.status = 'unknown'
        e.msg = null
        any = true
      }
    }
    return any
  }

  #findUnsent(id: string): Entry | undefined {
    return this.#unsent.find(e => e.id === id)
  }

  /** `failed`/`unknown` own message back to `queued`. Returns false when no such message. */
  retry(id: string): boolean {
    const e = this.#findUnsent(id)
    if (e === undefined || (e.status !== 'failed' && e.status !== 'unknown')) return false
    e.status = 'queued'
    e.error = undefined
    e.msg = null
    if (e.prior !== null) this.#unfresh()
    this.#changed()
    return true
  }

  /**
   * A message of the last `takeQueued()` that was not written to the socket after all: back to
   * `queued` as it was before. Returns false when no such message.
   */
  hold(id: string): boolean {
    const e = this.#findUnsent(id)
    const was = this.#taken.get(id)
    if (e?.status !== 'pending' || was === undefined) return false
    this.#taken.delete(id)
    e.status = 'queued'
    e.prior = was[0]
    e.seq = was[1]
    e.msg = null
    this.#changed()
    return true
  }

  /** Remove an own message that is not `sent`. Returns false when no such message. */
  discard(id: string): boolean {
    const index = this.#unsent.findIndex(e => e.id === id)
    if (index < 0) return false
    this.#unsent.splice(index, 1)
    this.#changed()
    return true
  }

  /** Mark an own message `failed` with a reason. */
  fail(id: string, error: ChatErrorCode): boolean {
    const e = this.#findUnsent(id)
    if (e === undefined) return false
    e.status = 'failed'
    e.error = error
    e.msg = null
    this.#changed()
    return true
  }

  /**
   * Restore persisted unsent messages (after a reload); `pending` ones come back as `unknown`, ones
   * whose text no server stores (see `UNSTORABLE`) as `failed` (`invalid_message`). Invalid or already
   * known entries are skipped.
   */
  restore(entries: readonly OutboxEntry[]): void {
    if (!Array.isArray(entries)) return
    const known = new Set<string>()
    for (const e of this.#unsent) known.add(e.id)
    let any = false
    for (const raw of entries) {
      if (typeof raw !== 'object' || raw === null) continue
      const { id, content, createdAt, status, priorOccurrences, error } = raw
      if (typeof id !== 'string' || known.has(id) || typeof content !== 'string' || typeof createdAt !== 'number' || !(Math.abs(createdAt) <= MAX_DATE_MS) || !OUTBOX_STATUSES.includes(status)) continue
      const prior = typeof priorOccurrences === 'number' && Number.isSafeInteger(priorOccurrences) && priorOccurrences >= 0 ? priorOccurrences : null
      // Text no server stores (persisted by an older version) is never written again: failed, discardable.
      const bad = status !== 'failed' && UNSTORABLE.test(content)
      const restored: MessageStatus = bad ? 'failed' : status === 'pending' ? 'unknown' : status
      const e: Entry = {
        id,
        content,
        createdAt: isoOf(createdAt),
        sentAt: createdAt,
        status: restored,
        prior: restored === 'unknown' ? (prior ?? 0) : prior,
        error: restored === 'failed' ? (typeof error === 'string' && !bad ? error as ChatErrorCode : 'invalid_message') : undefined,
        msg: null,
        seq: 0,
        mark: 0,
      }
      if (e.prior !== null) e.seq = ++this.#writeSeq
      known.add(id)
      any = true
      if (isCandidate(e) && this.#claimShown(e)) continue
      if (isCandidate(e)) this.#unfresh()
      this.#unsent.push(e)
    }
    if (any) this.#changed()
  }

  /**
   * A restored send whose copy this timeline already shows (adopted from another tab, or restored
   * after a replay it missed): an own message with its text past the occurrences it knew of, that
   * no send of this timeline explains. It takes that message's place: a replay would give the
   * occurrence to the message shown and resend this one.
   */
  #claimShown(e: Entry): boolean {
    if (this.#newId === this.#storedId) return false
    const list = this.#confirmed
    let seen = 0
    for (let k = 0; k < list.length; k++) {
      const m = list[k] as ChatMessage
      if (!m.isMine || m.content !== e.content || ++seen <= (e.prior ?? 0) || !m.id.startsWith(this.#storedId.prefix)) continue
      list[k] = this.#make(e.id, true, m.content, m.createdAt, m.serverTime, 'sent', m.isRead)
      return true
    }
    return false
  }

  /**
   * Changes whenever `outbox()` would (ids, states, occurrence counts; an entry's text and time never
   * change): tells whether to persist without serialising the text.
   */
  outboxVersion(): string {
    let version = ''
    for (const e of this.#unsent) version += `${e.id} ${e.status} ${e.prior} ${e.error ?? ''}\n`
    return version
  }

  /** Own messages that are not `sent`, for persistence. */
  outbox(): OutboxEntry[] {
    return this.#unsent.map(({ id, content, sentAt, status, prior, error }) => {
      const out: { -readonly [K in keyof OutboxEntry]: OutboxEntry[K] } = { id, content, createdAt: sentAt, status: status as OutboxEntry['status'], priorOccurrences: prior }
      if (error) out.error = error
      return out
    })
  }

  // ---------------------------------------------------------------------------------------------
  // Read marker

  /** Set the read marker to every peer message so far; returns the new readCount. */
  markRead(): number {
    const old = this.#readMarker
    const next = this.#peers
    if (old === next) return old
    this.#readMarker = next
    if (next < old) {
      this.#recount()
    }
    else {
      // Only peer messages from the old marker on can change: walk back to it.
      const list = this.#confirmed
      let index = next
      for (let k = list.length - 1; k >= 0 && index > old; k--) {
        const m = list[k] as ChatMessage
        if (m.isMine) continue
        index--
        if (!m.isRead) list[k] = this.#note(this.#make(m.id, false, m.content, m.createdAt, m.serverTime, 'sent', true), false)
      }
      this.#unread = 0
    }
    this.#changed()
    return next
  }

  /** Restore a persisted read marker. */
  setReadCount(count: number): void {
    const next = Number.isFinite(count) && count > 0 ? Math.floor(count) : 0
    if (next === this.#readMarker) return
    this.#readMarker = next
    this.#recount()
    this.#changed()
  }

  // ---------------------------------------------------------------------------------------------
  // Peer read receipts (read-receipts extension)

  /** Own stored messages the peer has read, oldest first in server order (per its receipts). */
  get peerReadCount(): number {
    return this.#peerRead
  }

  /**
   * The peer sent a read receipt: every own message stored so far (in `messages()` as `sent`) is
   * now `isRead`; later sends are not. Returns the new `peerReadCount`.
   */
  markReadByPeer(): number {
    this.#setPeerRead(this.#confirmed.length - this.#peers, true)
    return this.#peerRead
  }

  /**
   * Restore a persisted `peerReadCount`. Applied at once to own stored messages and again after
   * every replay; once the timeline held that many own messages, a replay holding fewer lowers it
   * (the server lost some).
   */
  setPeerReadCount(count: number): void {
    const next = Number.isFinite(count) && count > 0 ? Math.floor(count) : 0
    this.#setPeerRead(next, next <= this.#confirmed.length - this.#peers)
  }

  #setPeerRead(next: number, proven: boolean): void {
    this.#peerReadProven = proven
    if (next === this.#peerRead) return
    this.#peerRead = next
    this.#applyPeerRead()
  }

  /**
   * After a replay: reapply the receipt count. A replay holding fewer own messages than the count
   * (the server lost some) lowers it to what it holds. Only an empty replay keeps a restored count
   * unproven (a first replay that came back empty too early, from a slow server after a reload);
   * an own message stored live meanwhile caps it (applyLive). Wrong this way round shows a read
   * message unread, never an unread one read.
   * Nothing changed since the count was last applied (a replay that matched): no walk.
   */
  #replayedPeerRead(): void {
    const own = this.#confirmed.length - this.#peers
    const proven = this.#peerReadProven || this.#rCount > 0
    const clamp = proven && this.#peerRead > own
    if (clamp) this.#peerRead = own
    this.#peerReadProven = proven
    if (clamp || this.#ver !== this.#peerReadVer) this.#applyPeerRead()
  }

  /**
   * Own stored messages take `isRead` from the server's `is_read` or from the receipt count, by
   * position among own messages. Only the changed ones become new objects; the id set is updated in
   * place (ids of removed messages may stay: ids are never reused).
   */
  #applyPeerRead(): void {
    const limit = this.#peerRead
    const set = this.#receiptRead
    const list = this.#confirmed
    if (limit > 0 || set.size > 0) {
      let own = 0
      for (let k = 0; k < list.length; k++) {
        const m = list[k] as ChatMessage
        if (!m.isMine) continue
        const srv = m.isRead && !set.has(m.id)
        const isRead = own++ < limit || srv
        if (isRead && !srv) set.add(m.id)
        else set.delete(m.id)
        if (m.isRead !== isRead) {
          list[k] = this.#make(m.id, true, m.content, m.createdAt, m.serverTime, 'sent', isRead)
          this.#changed()
        }
      }
    }
    this.#peerReadVer = this.#ver
  }
}
