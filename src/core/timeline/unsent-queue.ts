/**
 * Own messages that are not `sent` yet, in send order: what is to be written, what awaits an echo
 * or a replay, and how many identical stored messages each one knew of when it was written.
 */
import type { ChatErrorCode } from '../errors'
import type { ChatMessage, MessageStatus } from '../types'
import { isoOf } from './display'
import { allows, transition } from './message-status'
import type { StatusHooks } from './message-status'

/** An own message that is not `sent` yet (few at a time): its outbox state behind a cached frozen view. */
export interface Entry {
  readonly id: string
  readonly content: string
  readonly createdAt: string
  /** Epoch ms of send(). */
  readonly sentAt: number
  status: MessageStatus
  /** Own stored messages with this text known when it was first written; `null` while never written. */
  prior: number | null
  error: ChatErrorCode | undefined
  /** Cached frozen view; `null` after any change. */
  msg: ChatMessage | null
  /** Order in which it was written to a socket (0 = never). */
  seq: number
  /** Generation of the last replay that matched it. */
  mark: number
}

/** An entry as created: by a send (`prior` null), or restored from the outbox. */
export function newEntry(id: string, content: string, sentAt: number, status: MessageStatus, prior: number | null, error: ChatErrorCode | undefined): Entry {
  return { id, content, createdAt: isoOf(sentAt), sentAt, status, prior, error, msg: null, seq: 0, mark: 0 }
}

/** A send a replay may prove stored: written to a socket (or restored as such), not given up. */
export const isCandidate = (e: Entry): boolean => e.status === 'pending' || e.status === 'unknown' || (e.status === 'queued' && e.prior !== null)

/** The own unsent messages of one timeline; every status change goes through `transition()`. */
export class UnsentQueue {
  /** The entries in send order. */
  list: Entry[] = []
  readonly #hooks: StatusHooks
  /** Writes so far: the order in which entries were first written. */
  #writes = 0
  /** What the last `take()` changed in each entry it took (occurrences, write order), for `hold()`. */
  readonly #taken = new Map<string, [number | null, number]>()
  /** Own stored messages per text (for `prior`); `null` = count again on demand. */
  #ownStored: Map<string, number> | null = null

  constructor(hooks: StatusHooks) {
    this.#hooks = hooks
  }

  /** Some entry is `queued`, `pending` or `unknown`. */
  get pending(): boolean {
    return this.list.some(e => e.status !== 'failed')
  }

  /** Some entry awaits a replay's proof (see `isCandidate`). */
  get candidates(): boolean {
    return this.list.some(isCandidate)
  }

  /** The entry with this id. */
  find(id: string): Entry | undefined {
    return this.list.find(e => e.id === id)
  }

  /** A new send as `queued`, or `failed` with `error`. */
  add(id: string, content: string, sentAt: number, error: ChatErrorCode | undefined): Entry {
    const e = newEntry(id, content, sentAt, error === undefined ? 'queued' : 'failed', null, error)
    this.list.push(e)
    return e
  }

  /** A restored entry joins the queue; one written before takes its place in the write order. */
  restored(e: Entry): void {
    if (e.prior !== null) e.seq = ++this.#writes
    this.list.push(e)
  }

  /** The `queued` entries, oldest first, now `pending`; `stored` tells how many identical stored messages each one knows of. */
  take(stored: readonly ChatMessage[]): Entry[] {
    const taken: Entry[] = []
    this.#taken.clear()
    for (const e of this.list) {
      if (e.status !== 'queued') continue
      const counts = this.#ownStored ??= countOwn(stored)
      this.#taken.set(e.id, [e.prior, e.seq])
      transition(e, 'written', this.#hooks)
      e.prior = counts.get(e.content) ?? 0
      e.seq = ++this.#writes
      taken.push(e)
    }
    return taken
  }

  /** An entry of the last `take()` back to `queued` as it was before. */
  hold(id: string): boolean {
    const e = this.find(id)
    const was = this.#taken.get(id)
    if (e === undefined || !allows(e.status, 'not-written') || was === undefined) return false
    this.#taken.delete(id)
    e.prior = was[0]
    e.seq = was[1]
    transition(e, 'not-written', this.#hooks)
    return true
  }

  /** A `failed` / `unknown` entry back to `queued`. */
  retry(id: string): Entry | undefined {
    const e = this.find(id)
    if (e === undefined || !allows(e.status, 'retry')) return undefined
    e.error = undefined
    transition(e, 'retry', this.#hooks)
    return e
  }

  /** An entry becomes `failed` with `error` (again, if it was). */
  fail(id: string, error: ChatErrorCode): boolean {
    const e = this.find(id)
    if (e === undefined) return false
    e.error = error
    e.msg = null
    transition(e, 'failed', this.#hooks)
    return true
  }

  /** An entry leaves the queue. */
  discard(id: string): boolean {
    const index = this.list.findIndex(e => e.id === id)
    if (index < 0) return false
    this.list.splice(index, 1)
    return true
  }

  /** Every `pending` entry becomes `unknown` (its socket is gone); true when any did. */
  socketClosed(): boolean {
    let any = false
    for (const e of this.list) {
      if (e.status === 'pending') {
        transition(e, 'socket-closed', this.#hooks)
        any = true
      }
    }
    return any
  }

  /** An own message with this text was stored live: the echo of the oldest `pending` (else `unknown`) entry with it, taken out. */
  storedLive(content: string): Entry | undefined {
    const list = this.list
    let index = list.findIndex(e => e.status === 'pending' && e.content === content)
    if (index < 0) index = list.findIndex(e => e.status === 'unknown' && e.content === content)
    const e = list[index]
    if (e !== undefined) {
      list.splice(index, 1)
      this.confirmed(e, 'echo')
    }
    const counts = this.#ownStored
    if (counts !== null) counts.set(content, (counts.get(content) ?? 0) + 1)
    return e
  }

  /**
   * `e` is now known stored. Entries with the same text written after it learn one more stored
   * occurrence before them: after a reload, only a later occurrence can confirm them.
   */
  confirmed(e: Entry, reason: 'echo' | 'replayed' | 'shown'): void {
    transition(e, reason, this.#hooks)
    for (const other of this.list) {
      if (other !== e && other.prior !== null && other.seq > e.seq && other.content === e.content) other.prior++
    }
  }

  /**
   * A replay ended: the entries it matched (`mark` is `generation`) leave the queue; the ones it
   * could have matched but did not are proven not stored and go back to `queued`. Returns how many.
   */
  replayed(generation: number): number {
    let requeued = 0
    const keep: Entry[] = []
    for (const e of this.list) {
      if (e.mark === generation) continue
      if (isCandidate(e)) {
        // Never written since, so it knows no occurrences.
        e.prior = null
        transition(e, 'lost', this.#hooks)
        requeued++
      }
      keep.push(e)
    }
    this.list = keep
    return requeued
  }

  /** The stored messages were replaced (a replay): count own occurrences again when next needed. */
  storedReplaced(): void {
    this.#ownStored = null
  }
}

function countOwn(stored: readonly ChatMessage[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const m of stored) {
    if (m.isMine) counts.set(m.content, (counts.get(m.content) ?? 0) + 1)
  }
  return counts
}
