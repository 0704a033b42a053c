/**
 * The persisted form of an own unsent message: written for the outbox, and validated when restored
 * (storage may hold anything: an older version's data, another tab's, a user's edit).
 */
import type { ChatErrorCode } from '../errors'
import { transition } from './message-status'
import type { StatusHooks } from './message-status'
import { newEntry } from './unsent-queue'
import type { Entry } from './unsent-queue'

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

/** A NUL or an unpaired surrogate: text a server database refuses (Postgres does), failing the socket with 1011. */
export const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Largest |epoch ms| a Date can hold (ECMAScript time range); beyond it `toISOString()` throws. */
const MAX_DATE_MS = 8.64e15
const OUTBOX_STATUSES = ['queued', 'pending', 'unknown', 'failed']

/** `e` as persisted. */
export function toOutboxEntry({ id, content, sentAt, status, prior, error }: Entry): OutboxEntry {
  const out: { -readonly [K in keyof OutboxEntry]: OutboxEntry[K] } = { id, content, createdAt: sentAt, status: status as OutboxEntry['status'], priorOccurrences: prior }
  if (error) out.error = error
  return out
}

/** Changes whenever the persisted form of `list` would (an entry's text and time never change). */
export function outboxVersion(list: readonly Entry[]): string {
  let version = ''
  for (const e of list) version += `${e.id} ${e.status} ${e.prior} ${e.error ?? ''}\n`
  return version
}

/**
 * A persisted entry as an unsent message, or `null` when it is invalid or its id is `known`.
 * `pending` comes back as `unknown` (its socket is gone); text no server stores as `failed`
 * (`invalid_message`): it is never written again, only discarded.
 */
export function fromOutboxEntry(raw: OutboxEntry, known: ReadonlySet<string>, hooks: StatusHooks): Entry | null {
  if (typeof raw !== 'object' || raw === null) return null
  const { id, content, createdAt, status, priorOccurrences, error } = raw
  if (typeof id !== 'string' || known.has(id) || typeof content !== 'string' || typeof createdAt !== 'number' || !(Math.abs(createdAt) <= MAX_DATE_MS) || !OUTBOX_STATUSES.includes(status)) return null
  const prior = typeof priorOccurrences === 'number' && Number.isSafeInteger(priorOccurrences) && priorOccurrences >= 0 ? priorOccurrences : null
  const bad = status !== 'failed' && UNSTORABLE.test(content)
  const to = bad ? 'failed' : status === 'pending' ? 'unknown' : status
  const e = newEntry(id, content, createdAt, status, to === 'unknown' ? (prior ?? 0) : prior, to === 'failed' ? (typeof error === 'string' && !bad ? error as ChatErrorCode : 'invalid_message') : undefined)
  if (to !== status) transition(e, bad ? 'unstorable' : 'restored', hooks)
  return e
}
