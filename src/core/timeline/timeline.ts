/**
 * One conversation's timeline: pure reconciliation of history replays, live frames and local sends.
 * No I/O, no timers: time comes from `now()`.
 *
 * Layout: the stored messages in server order (replay order, then live arrivals in broadcast order),
 * then own messages that are not `sent` yet, in send order. This class applies live frames and wires
 * the parts, one job each: replay alignment, gap duplicates, the unsent queue and its persisted form,
 * message status, the read marker, peer read receipts, and the display.
 */
import type { ChatErrorCode } from '../errors'
import type { ReadReceiptsExtension, ReadReceiptsParts } from '../extensions'
import type { HistoryFrame, LiveFrame } from '../transport/protocol'
import type { ChatMessage, UserId } from '../types'
import { Display, isoOf } from './display'
import { GapWatch } from './gap-duplicates'
import { storedIds } from './ids'
import { transition } from './message-status'
import type { StatusHooks, StatusListener } from './message-status'
import { fromOutboxEntry, outboxVersion, toOutboxEntry } from './outbox-entry'
import type { OutboxEntry } from './outbox-entry'
import type { PeerReceipts } from './peer-receipts'
import { ReadMarker } from './read-marker'
import { ReplayAlignment } from './replay-alignment'
import type { AlignDeps } from './replay-alignment'
import { isCandidate, UnsentQueue } from './unsent-queue'
import type { Entry } from './unsent-queue'

export type { OutboxEntry } from './outbox-entry'
export { UNSTORABLE } from './outbox-entry'

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
  /**
   * `readReceiptsExtension`: apply the peer's read receipts (`markReadByPeer()`, `setPeerReadCount()`).
   * Without it they change nothing and `peerReadCount` stays `0`.
   */
  readReceipts?: ReadReceiptsExtension
  /**
   * Called on every status change of an own message, with the reason. Not called for messages that
   * come with their status (a send, a restored entry that keeps its stored status). It runs in the
   * middle of the change: do not call the timeline from it.
   */
  onStatusChange?: StatusListener
  /**
   * Called when a status change is not one the transition table allows (a defect). The change is
   * made all the same, so no message is lost or stuck; tests make this throw.
   */
  onInvalidTransition?: StatusListener
}

/** What `Timeline.cacheParts()` hands to the history cache's code. */
export interface CacheParts extends AlignDeps {
  readonly replay: ReplayAlignment
  /** Replays completed. */
  readonly replays: number
  /** Cached history is on screen with `unread` unread peer messages; whether the view changed. */
  shown(unread: number): boolean
  /** The unsent queue's rule (handed over so the history chunk imports nothing of the core). */
  readonly isCandidate: (e: Entry) => boolean
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

const EMPTY_RESULT: ReplayResult = Object.freeze({ inserted: 0, confirmed: 0, requeued: 0, removed: 0 })

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
  readonly #storedId = storedIds()
  readonly #hooks: StatusHooks
  readonly #display: Display
  readonly #queue: UnsentQueue
  readonly #marker: ReadMarker
  /** Replays completed: once one has, cached history is never shown again. */
  #replays = 0
  /** Unread peer messages of the cached history shown (`null`: none shown). */
  #cachedUnread: number | null = null
  /** The peer's read receipts (read-receipts extension only). */
  readonly #receipts: PeerReceipts | undefined
  readonly #parts: AlignDeps
  readonly #replay: ReplayAlignment
  readonly #gap: GapWatch

  constructor(options: TimelineOptions) {
    const selfId = this.#selfId = options.selfId
    const peerId = this.#peerId = options.peerId
    const now = this.#now = options.now
    this.#newId = options.newId ?? this.#storedId
    this.#hooks = options
    const display = this.#display = new Display(selfId, peerId)
    const marker = this.#marker = new ReadMarker(display)
    const queue = this.#queue = new UnsentQueue(options)
    this.#receipts = (options.readReceipts as ReadReceiptsParts | undefined)?.timeline(display, marker)
    this.#replay = new ReplayAlignment(this.#parts = { selfId, peerId, now, display, marker, queue, storedId: this.#storedId, serverRead: m => this.#srv(m) })
    this.#gap = new GapWatch(options.gapWindowMs ?? DEFAULT_GAP_WINDOW_MS, now, f => this.#applyFresh(f))
  }

  /** Increments on every visible change. */
  get version(): number {
    return this.#display.version
  }

  /** True between beginReplay() and endReplay(). */
  get replaying(): boolean {
    return this.#replay.active
  }

  /** Read marker: number of peer messages read. */
  get readCount(): number {
    return this.#marker.count
  }

  /** Peer messages that are not read (by the marker or by the server's `is_read`). O(1). */
  get unreadCount(): number {
    return this.#cachedUnread ?? this.#marker.unread
  }

  /**
   * Where the messages shown come from: `'cache'` (cached history, until a replay ends), `'replay'`
   * (the server's: a completed replay, or the first one as it arrives), `'none'` (nothing yet).
   */
  get source(): 'none' | 'cache' | 'replay' {
    if (this.#cachedUnread !== null) return 'cache'
    return this.#replays > 0 || this.#replay.progressive || this.#display.stored.length > 0 ? 'replay' : 'none'
  }

  /**
   * The parts `cached-history.ts` works on (as `timeline['cacheParts']()`): the history cache's code
   * lives in its lazy chunk, so an app without the cache bundles none of it. TypeScript-private, so
   * the declarations name none of the parts' types.
   */
  private cacheParts(): CacheParts {
    return { ...this.#parts, replay: this.#replay, replays: this.#replays, isCandidate, shown: (unread) => {
      this.#cachedUnread = unread
      return this.#display.changed()
    } }
  }

  /** Visible messages from the peer. O(1). */
  get peerCount(): number {
    return this.#marker.peers
  }

  /** Some own message is `queued`, `pending` or `unknown`. */
  get hasPending(): boolean {
    return this.#queue.pending
  }

  /** The server's `is_read` of a stored message. */
  #srv(m: ChatMessage): boolean {
    return m.isRead && !this.#marker.has(m) && !this.#receipts?.has(m)
  }

  /** Messages in display order: server order, then live arrivals, then own unsent. Same array until a change. */
  messages(): readonly ChatMessage[] {
    return this.#display.list(this.#queue.list)
  }

  /** The last `count` visible peer messages, oldest first. */
  lastPeerMessages(count: number): ChatMessage[] {
    const out: ChatMessage[] = []
    const list = this.#display.stored
    for (let k = list.length - 1; k >= 0 && out.length < count; k--) {
      const m = list[k] as ChatMessage
      if (!m.isMine) out.push(m)
    }
    return out.reverse()
  }

  /** The own unsent message with this id. */
  unsentMessage(id: string): ChatMessage | undefined {
    const e = this.#queue.find(id)
    return e && this.#display.view(e)
  }

  // ---------------------------------------------------------------------------------------------
  // Replay

  /** A socket opened: start a replay. Nothing visible changes until endReplay(). */
  beginReplay(): void {
    this.#gap.stop()
    // Anything still pending was written to a previous socket: only this replay can tell.
    const any = this.#queue.socketClosed()
    this.#replay.begin(!this.#queue.candidates)
    if (any) this.#display.changed()
  }

  /** One history frame of the current replay. Ignored outside a replay (a late frame must not start a partial one). */
  addReplayFrame(frame: HistoryFrame): void {
    this.#replay.add(frame)
  }

  /**
   * Can the running replay be complete? `short`: fewer frames than the last completed replay held
   * (the server log only grows, so frames are still to come). `unproven`: no frame yet while own
   * sends wait for the replay to prove them stored (nothing known bounds the replay).
   */
  replayState(): 'complete' | 'short' | 'unproven' {
    // Cached history on screen: the server held those messages and its log only grows, so a replay
    // without a frame yet is not over (ending it would show an empty conversation).
    if (this.#cachedUnread !== null && this.#replay.frames === 0) return 'short'
    return this.#replay.state()
  }

  /**
   * The replay is over (first live frame, or quiet period). Align the replay with the local
   * timeline as a multiset in order, in one linear pass: matched messages take server time and
   * `is_read`; unmatched server messages are inserted; own `pending`/`unknown` not in the replay go
   * back to `queued`; `sent`/peer copies not in the replay are removed as phantoms.
   */
  endReplay(): ReplayResult {
    const replay = this.#replay
    if (!replay.active) return EMPTY_RESULT
    const result = replay.end()
    this.#replays++
    this.#cachedUnread = null
    this.#marker.recount(true)
    this.#receipts?.replayed(replay.frames > 0)
    this.#gap.start(this.#display.stored, replay.lastFrameAt)
    return result
  }

  // ---------------------------------------------------------------------------------------------
  // Live frames

  /**
   * Epoch ms at which held-back frames must be released (call `settle()` then), or `null` when
   * nothing is held.
   */
  gapDeadline(): number | null {
    return this.#gap.deadline()
  }

  /**
   * Release held-back frames as real messages once the gap window has passed. Returns how many were
   * released (they are visible now). Safe to call at any time.
   */
  settle(): number {
    return this.#gap.settle()
  }

  /** A live frame after the replay ended. */
  applyLive(frame: LiveFrame): LiveOutcome {
    if (this.#replay.active) this.endReplay()
    const mine = frame.senderId === this.#selfId
    if (!mine && frame.senderId !== this.#peerId) return 'foreign'
    return this.#gap.step(frame, mine) ?? this.#applyFresh(frame)
  }

  /** A live frame of this conversation that is no gap duplicate. */
  #applyFresh(frame: LiveFrame): LiveOutcome {
    const content = frame.content
    const display = this.#display
    const createdAt = isoOf(this.#now())
    let m: ChatMessage
    let outcome: LiveOutcome = 'peer'
    if (frame.senderId === this.#selfId) {
      const e = this.#queue.storedLive(content)
      // A restored receipt count can only cover own messages stored before this one.
      this.#receipts?.ownArriving()
      outcome = e ? 'echo' : 'own-elsewhere'
      m = display.make(e ? e.id : this.#storedId(), true, content, e ? e.createdAt : createdAt, false, 'sent', false)
    }
    else {
      m = this.#marker.note(display.make(this.#storedId(), false, content, createdAt, false, 'sent', this.#marker.arrived()), false)
    }
    display.stored.push(m)
    display.changed()
    return outcome
  }

  // ---------------------------------------------------------------------------------------------
  // Local sends

  /** Add a local send as `queued` (or `failed` with `error`). */
  enqueue(content: string, error?: ChatErrorCode): ChatMessage {
    const e = this.#queue.add(this.#newId(), content, this.#now(), error)
    this.#display.changed()
    return this.#display.view(e)
  }

  /**
   * The `queued` messages, oldest first, now marked `pending` (caller writes them to the socket).
   * Returns `[]` during a replay: sends wait for its end so that nothing is stored twice.
   */
  takeQueued(): ChatMessage[] {
    if (this.#replay.active) return []
    const display = this.#display
    const taken = this.#queue.take(display.stored)
    if (taken.length > 0) display.changed()
    return taken.map(e => display.view(e))
  }

  /** The socket dropped: every `pending` becomes `unknown`. Held-back frames are released. */
  disconnected(): void {
    this.#gap.stop()
    if (this.#queue.socketClosed()) this.#display.changed()
  }

  /** `failed`/`unknown` own message back to `queued`. Returns false when no such message. */
  retry(id: string): boolean {
    const e = this.#queue.retry(id)
    if (e === undefined) return false
    if (e.prior !== null) this.#replay.needProof()
    return this.#display.changed()
  }

  /**
   * A message of the last `takeQueued()` that was not written to the socket after all: back to
   * `queued` as it was before. Returns false when no such message.
   */
  hold(id: string): boolean {
    return this.#queue.hold(id) && this.#display.changed()
  }

  /** Remove an own message that is not `sent`. Returns false when no such message. */
  discard(id: string): boolean {
    return this.#queue.discard(id) && this.#display.changed()
  }

  /** Mark an own message `failed` with a reason. */
  fail(id: string, error: ChatErrorCode): boolean {
    return this.#queue.fail(id, error) && this.#display.changed()
  }

  /**
   * Restore persisted unsent messages (after a reload); `pending` ones come back as `unknown`, ones
   * whose text no server stores (see `UNSTORABLE`) as `failed` (`invalid_message`). Invalid or already
   * known entries are skipped.
   */
  restore(entries: readonly OutboxEntry[]): void {
    if (!Array.isArray(entries)) return
    const queue = this.#queue
    const known = new Set<string>()
    for (const e of queue.list) known.add(e.id)
    let any = false
    for (const raw of entries) {
      const e = fromOutboxEntry(raw, known, this.#hooks)
      if (e === null) continue
      known.add(e.id)
      any = true
      if (isCandidate(e)) {
        if (this.#claimShown(e)) continue
        this.#replay.needProof()
      }
      queue.restored(e)
    }
    if (any) this.#display.changed()
  }

  /**
   * A restored send whose copy this timeline already shows (adopted from another tab, or restored
   * after a replay it missed): an own message with its text past the occurrences it knew of, that
   * no send of this timeline explains. It takes that message's place: a replay would give the
   * occurrence to the message shown and resend this one.
   */
  #claimShown(e: Entry): boolean {
    if (this.#newId === this.#storedId) return false
    const list = this.#display.stored
    let seen = 0
    for (let k = 0; k < list.length; k++) {
      const m = list[k] as ChatMessage
      if (!m.isMine || m.content !== e.content || ++seen <= (e.prior ?? 0) || !m.id.startsWith(this.#storedId.prefix)) continue
      list[k] = this.#display.make(e.id, true, m.content, m.createdAt, m.serverTime, 'sent', m.isRead)
      transition(e, 'shown', this.#hooks)
      return true
    }
    return false
  }

  /**
   * Changes whenever `outbox()` would (ids, states, occurrence counts; an entry's text and time never
   * change): tells whether to persist without serialising the text.
   */
  outboxVersion(): string {
    return outboxVersion(this.#queue.list)
  }

  /** Own messages that are not `sent`, for persistence. */
  outbox(): OutboxEntry[] {
    return this.#queue.list.map(toOutboxEntry)
  }

  // ---------------------------------------------------------------------------------------------
  // Read marker

  /** Set the read marker to every peer message so far; returns the new readCount. */
  markRead(): number {
    const marker = this.#marker
    if (marker.markAll()) this.#display.changed()
    return marker.count
  }

  /** Restore a persisted read marker. */
  setReadCount(count: number): void {
    if (this.#marker.restore(count)) this.#display.changed()
  }

  // ---------------------------------------------------------------------------------------------
  // Peer read receipts (read-receipts extension: `TimelineOptions.readReceipts`)

  /** Own stored messages the peer has read, oldest first in server order (per its receipts). */
  get peerReadCount(): number {
    return this.#receipts?.count ?? 0
  }

  /**
   * The peer sent a read receipt: every own message stored so far (in `messages()` as `sent`) is
   * now `isRead`; later sends are not. Returns the new `peerReadCount`.
   */
  markReadByPeer(): number {
    this.#receipts?.received()
    return this.peerReadCount
  }

  /**
   * Restore a persisted `peerReadCount`. Applied at once to own stored messages and again after
   * every replay; once the timeline held that many own messages, a replay holding fewer lowers it
   * (the server lost some).
   */
  setPeerReadCount(count: number): void {
    this.#receipts?.restore(count)
  }
}
