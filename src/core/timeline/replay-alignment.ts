/**
 * Replay alignment: a history replay is the server's stored log; align it with the stored messages
 * and own unsent ones as a multiset in order (same sender and text, in sequence), in one pass.
 * Frames are aligned as they arrive: frames that repeat the stored messages in order are only
 * counted, frames past their end are built into messages at once; only frames after a divergence
 * are kept for `end()`.
 */
import type { HistoryFrame } from '../transport/protocol'
import type { ChatMessage, UserId } from '../types'
import type { ReplayResult } from './timeline'
import type { Display } from './display'
import type { ReadMarker } from './read-marker'
import { isCandidate } from './unsent-queue'
import type { Entry, UnsentQueue } from './unsent-queue'

/** What alignment reads and builds with. */
export interface AlignDeps {
  readonly selfId: UserId
  readonly peerId: UserId
  readonly now: () => number
  readonly display: Display
  readonly marker: ReadMarker
  readonly queue: UnsentQueue
  /** Id of a message new to this timeline. */
  readonly storedId: () => string
  /** The server's `is_read` of a stored message (its `isRead` without the marker's or a receipt's verdict). */
  serverRead(m: ChatMessage): boolean
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

function slotOf(map: Map<string, Slot>, key: string): Slot {
  let slot = map.get(key)
  if (slot === undefined) map.set(key, slot = { c: [], cp: 0, u: [], up: 0, seen: 0 })
  return slot
}

/** The replay in progress (between `begin()` and `end()`) and what the last one held. */
export class ReplayAlignment {
  /** True between `begin()` and `end()`. */
  active = false
  /** Frames of this conversation in the current (or last) replay. */
  frames = 0
  /** Epoch ms of the last frame of the current (or last) replay, or of its start. */
  lastFrameAt = 0
  readonly #deps: AlignDeps
  #prefix = 0
  #peers = 0
  #patchAt: number[] = []
  #patchTime: string[] = []
  #patchRead: boolean[] = []
  /** Messages built past the end of the stored ones while no own send awaits proof; `null` when not allowed. */
  #ahead: ChatMessage[] | null = null
  #buffer: Buffered[] = []
  /** Nothing is stored or previewed: the messages built ahead are shown as they arrive. */
  #progressive = false
  /** Messages the last completed replay held: the server log only grows, so no later replay is shorter. */
  #stored = 0
  #generation = 0

  constructor(deps: AlignDeps) {
    this.#deps = deps
  }

  /** A replay starts; `buildAhead`: no own send awaits its proof. */
  begin(buildAhead: boolean): void {
    this.active = true
    this.#prefix = 0
    this.#peers = 0
    this.frames = 0
    this.#patchAt = []
    this.#patchTime = []
    this.#patchRead = []
    this.#buffer = []
    this.#ahead = buildAhead ? [] : null
    this.lastFrameAt = this.#deps.now()
    const display = this.#deps.display
    // Nothing shown yet: the server sends stored messages in order, so they can be shown as they come.
    this.#progressive = buildAhead && display.stored.length === 0 && display.preview === null
    if (this.#progressive) display.preview = this.#ahead
    else if (display.stored.length === 0) display.lendPreview()
  }

  /** True while the messages of this replay are shown as they arrive. */
  get progressive(): boolean {
    return this.#progressive
  }

  /** Cached history arrived before the first frame: show it instead, until the replay ends. */
  preferPreview(preview: readonly ChatMessage[]): boolean {
    const display = this.#deps.display
    if (display.stored.length > 0 || this.frames > 0 || (display.preview !== null && !this.#progressive)) return false
    this.#progressive = false
    display.preview = preview
    if (this.active) display.lendPreview()
    return true
  }

  /** One history frame. Ignored outside a replay. */
  add(frame: HistoryFrame): void {
    if (!this.active) return
    const deps = this.#deps
    const { display, marker } = deps
    this.lastFrameAt = deps.now()
    const mine = frame.senderId === deps.selfId
    if (!mine && frame.senderId !== deps.peerId) return
    this.frames++
    if (this.#buffer.length === 0) {
      const k = this.#prefix
      const stored = display.stored
      if (k < stored.length) {
        const m = stored[k] as ChatMessage
        if (m.isMine === mine && m.content === frame.content) {
          if (m.createdAt !== frame.timestamp || !m.serverTime || deps.serverRead(m) !== frame.isRead) {
            this.#patchAt.push(k)
            this.#patchTime.push(frame.timestamp)
            this.#patchRead.push(frame.isRead)
          }
          this.#prefix = k + 1
          if (!mine) this.#peers++
          return
        }
      }
      else if (this.#ahead !== null) {
        const isRead = frame.isRead || (!mine && this.#peers < marker.count)
        if (!mine) this.#peers++
        this.#ahead.push(marker.note(display.stable(deps.storedId, mine, frame.content, frame.timestamp, isRead), frame.isRead))
        if (this.#progressive) display.changed()
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
  state(): 'complete' | 'short' | 'unproven' {
    if (this.frames < this.#stored) return 'short'
    return this.frames === 0 && this.#deps.queue.candidates ? 'unproven' : 'complete'
  }

  /** A send awaiting proof appeared during the replay: messages built ahead go back to plain frames. */
  needProof(): void {
    const ahead = this.#ahead
    if (!this.active || ahead === null) return
    this.#ahead = null
    // What was shown (these messages, or cached history) stays shown until the replay ends and
    // lends its ids again: those built ahead took them and are rebuilt.
    this.#progressive = false
    this.#deps.display.lendPreview()
    for (let k = 0; k < ahead.length; k++) {
      const m = ahead[k] as ChatMessage
      this.#buffer.push({ senderId: m.senderId, content: m.content, timestamp: m.createdAt, isRead: this.#deps.serverRead(m) })
    }
  }

  /** `m` with other server fields; `isRead` keeps a read marker's verdict. */
  #restamp(m: ChatMessage, createdAt: string, read: boolean): ChatMessage {
    const deps = this.#deps
    const isRead = read || (!m.isMine && m.isRead && !deps.serverRead(m))
    return deps.marker.note(m.createdAt === createdAt && m.serverTime && m.isRead === isRead ? m : deps.display.make(m.id, m.isMine, m.content, createdAt, true, 'sent', isRead), read)
  }

  /**
   * The replay is over: matched messages take server time and `is_read`; unmatched server messages
   * are inserted; own `pending`/`unknown` not in the replay go back to `queued`; stored copies not
   * in the replay are removed as phantoms.
   */
  end(): ReplayResult {
    this.active = false
    const deps = this.#deps
    const { display, queue } = deps
    const gen = ++this.#generation
    let list = display.stored
    const prefix = this.#prefix
    const patched = this.#patchAt.length
    for (let p = 0; p < patched; p++) {
      const k = this.#patchAt[p] as number
      list[k] = this.#restamp(list[k] as ChatMessage, this.#patchTime[p] as string, this.#patchRead[p] as boolean)
    }
    this.#patchAt = []
    this.#patchTime = []
    this.#patchRead = []
    const ahead = this.#ahead
    const frames = this.#buffer
    this.#ahead = null
    this.#buffer = []
    const oldLength = list.length
    let inserted = 0
    let matchedUnsent = 0
    let removed = 0
    let requeued = 0
    let diverged = false

    if (frames.length === 0) {
      if (prefix < oldLength) {
        removed = oldLength - prefix
        list.length = prefix
      }
      if (ahead !== null && ahead.length > 0) {
        inserted = ahead.length
        if (oldLength === 0) list = ahead
        else for (const m of ahead) list.push(m)
      }
    }
    else {
      const self = deps.selfId
      const marker = deps.marker
      const own = new Map<string, Slot>()
      const theirs = new Map<string, Slot>()
      let ownCandidates = false
      for (const e of queue.list) {
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
      let peerIndex = this.#peers
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
              queue.confirmed(e, 'replayed')
              e.mark = gen
              matchedUnsent++
              m = deps.display.make(e.id, true, e.content, f.timestamp, true, 'sent', read)
            }
          }
        }
        if (m === null) {
          m = deps.display.stable(deps.storedId, mine, f.content, f.timestamp, read || (!mine && peerIndex < marker.count))
          inserted++
        }
        if (!mine) peerIndex++
        out.push(marker.note(m, read))
      }
      for (let k = prefix; k < oldLength; k++) if (matched[k] === 0) removed++
      list = out
      // Past a divergence the list is rebuilt in server order: even with nothing inserted or removed
      // it may be reordered or restamped, so the snapshot must change.
      diverged = true
    }
    if (ahead === null) requeued = queue.replayed(gen)
    queue.storedReplaced()
    this.#progressive = false
    if (display.preview !== null) {
      display.dropPreview()
      diverged = true
    }
    display.stored = list
    this.#stored = list.length
    if (diverged || patched > 0 || inserted > 0 || removed > 0 || requeued > 0 || matchedUnsent > 0) display.changed()
    return { inserted, confirmed: matchedUnsent, requeued, removed }
  }
}
