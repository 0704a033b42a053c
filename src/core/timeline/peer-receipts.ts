/**
 * Peer read receipts (the read-receipts extension): the first `count` own stored messages in server
 * order are read by the peer. The timeline works without it: it gets one only from
 * `readReceiptsExtension`, and it sees only the display and the read marker's peer count.
 */
import type { ChatMessage } from '../types'
import type { Display } from './display'
import type { ReadMarker } from './read-marker'

/** Builds the receipts part of one timeline. */
export type PeerReceiptsFactory = (display: Display, marker: ReadMarker) => PeerReceipts

/** The peer's read receipts, kept as a count of own stored messages and applied to the display. */
export class PeerReceipts {
  /** Own stored messages the peer has read, oldest first. */
  count = 0
  readonly #display: Display
  readonly #marker: ReadMarker
  /** Own stored messages that show `isRead` only because of a receipt. */
  readonly #only = new Set<string>()
  /**
   * The timeline held at least `count` own stored messages since the count was set (a receipt, or a
   * replay after a restore): a replay holding fewer then means the server lost some.
   */
  #proven = false
  /** The timeline's version right after the count was last applied. */
  #at = -1

  constructor(display: Display, marker: ReadMarker) {
    this.#display = display
    this.#marker = marker
  }

  /** Own stored messages. */
  #own(): number {
    return this.#display.stored.length - this.#marker.peers
  }

  /** `m` shows `isRead` only because of a receipt. */
  has(m: ChatMessage): boolean {
    return this.#only.has(m.id)
  }

  /** A receipt: every own message stored so far is read. */
  received(): void {
    this.#set(this.#own(), true)
  }

  /** A persisted count, applied at once and again after every replay. */
  restore(count: number): void {
    const next = Number.isFinite(count) && count > 0 ? Math.floor(count) : 0
    this.#set(next, next <= this.#own())
  }

  /** An own message is about to be stored live: a restored count can only cover the ones before it. */
  ownArriving(): void {
    if (!this.#proven) this.#set(Math.min(this.count, this.#own()), true)
  }

  /**
   * After a replay (`frames`: it held any): reapply the count. A replay holding fewer own messages
   * than the count (the server lost some) lowers it to what it holds. Only an empty replay keeps a
   * restored count unproven (a first replay that came back empty too early, from a slow server
   * after a reload); an own message stored live meanwhile caps it. Wrong this way round shows a read
   * message unread, never an unread one read.
   * Nothing changed since the count was last applied (a replay that matched): no walk.
   */
  replayed(frames: boolean): void {
    const own = this.#own()
    const proven = this.#proven || frames
    const clamp = proven && this.count > own
    if (clamp) this.count = own
    this.#proven = proven
    if (clamp || this.#display.version !== this.#at) this.#apply()
  }

  #set(next: number, proven: boolean): void {
    this.#proven = proven
    if (next === this.count) return
    this.count = next
    this.#apply()
  }

  /**
   * Own stored messages take `isRead` from the server's `is_read` or from the count, by position
   * among own messages. Only the changed ones become new objects; the id set is updated in place
   * (ids of removed messages may stay: ids are never reused).
   */
  #apply(): void {
    const display = this.#display
    const limit = this.count
    const set = this.#only
    const list = display.stored
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
          list[k] = display.withRead(m, isRead)
          display.changed()
        }
      }
    }
    this.#at = display.version
  }
}
