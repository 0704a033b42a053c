/**
 * The own read marker: the first `count` peer messages in server order are read, whatever the
 * server's `is_read` says. Also keeps the peer and unread counts it is measured against.
 */
import type { ChatMessage } from '../types'
import type { Display } from './display'

/** The read marker of one timeline, applied to its display. */
export class ReadMarker {
  /** Peer messages read, oldest first. */
  count = 0
  /** Peer messages among the stored ones. */
  peers = 0
  /** Peer messages that are not read (by the marker or by the server's `is_read`). */
  unread = 0
  readonly #display: Display
  /**
   * Ids of peer messages that show `isRead` only because of the marker (the server's `is_read` is
   * false): empty until a marker applies, so ingest keeps no per-message side state. Rebuilt when a
   * replay ends, so ids of messages an aborted replay built ahead do not pile up.
   */
  #only = new Set<string>()

  constructor(display: Display) {
    this.#display = display
  }

  /** `m` shows `isRead` only because of the marker. */
  has(m: ChatMessage): boolean {
    return this.#only.has(m.id)
  }

  /** Record whether `m` is read only by the marker, given the server's `is_read`. */
  note(m: ChatMessage, srv: boolean): ChatMessage {
    const set = this.#only
    if (m.isRead && !srv) set.add(m.id)
    else if (set.size > 0) set.delete(m.id)
    return m
  }

  /** A peer message arrived live (the server says unread): is it read by the marker? */
  arrived(): boolean {
    const isRead = this.peers++ < this.count
    if (!isRead) this.unread++
    return isRead
  }

  /**
   * Recount peers and unread, and apply the marker to every stored peer message. `prune` (only when
   * no replay is running) keeps ids of stored messages alone.
   */
  recount(prune = false): void {
    const display = this.#display
    const list = display.stored
    const old = this.#only
    const set = prune ? new Set<string>() : old
    const marker = this.count
    let peers = 0
    let unread = 0
    for (let k = 0; k < list.length; k++) {
      const m = list[k] as ChatMessage
      if (m.isMine) continue
      const srv = m.isRead && !old.has(m.id)
      const isRead = srv || peers < marker
      if (isRead && !srv) set.add(m.id)
      else if (set.size > 0) set.delete(m.id)
      if (m.isRead !== isRead) list[k] = display.withRead(m, isRead)
      if (!isRead) unread++
      peers++
    }
    this.#only = set
    this.peers = peers
    this.unread = unread
  }

  /** Every stored peer message is read; false when it already was. */
  markAll(): boolean {
    const old = this.count
    const next = this.peers
    // Before the history is in (or while a replay is short) fewer peer messages are shown than the
    // marker counts: marking read never lowers it, or a markRead() on mount would forget it.
    if (next <= old) return false
    this.count = next
    // Only peer messages from the old marker on can change: walk back to it.
    const display = this.#display
    const list = display.stored
    let index = next
    for (let k = list.length - 1; k >= 0 && index > old; k--) {
      const m = list[k] as ChatMessage
      if (m.isMine) continue
      index--
      if (!m.isRead) list[k] = this.note(display.withRead(m, true), false)
    }
    this.unread = 0
    return true
  }

  /** A persisted marker; false when it is the current one. */
  restore(count: number): boolean {
    const next = Number.isFinite(count) && count > 0 ? Math.floor(count) : 0
    if (next === this.count) return false
    this.count = next
    this.recount()
    return true
  }
}
