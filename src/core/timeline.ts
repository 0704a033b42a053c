/**
 * One conversation's timeline: pure reconciliation of history replays, live frames and local sends.
 * No I/O, no timers: time comes from `now()`. CONTRACT FILE: the public members below are what
 * the runtime (conversation.ts) calls; implementations may add members but not change these.
 */
import type { ChatErrorCode } from './errors'
import type { HistoryFrame, LiveFrame } from './protocol'
import type { ChatMessage, UserId } from './types'

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

export declare class Timeline {
  constructor(options: TimelineOptions)

  /** A socket opened: start buffering a replay. Nothing visible changes until endReplay(). */
  beginReplay(): void
  /** One history frame of the current replay. */
  addReplayFrame(frame: HistoryFrame): void
  /** True between beginReplay() and endReplay(). */
  readonly replaying: boolean
  /**
   * The replay is over (first live frame, or quiet period). Align the buffered replay with the local
   * timeline as a multiset in order, in one linear pass: matched messages take server time and
   * `is_read`; unmatched server messages are inserted; own `pending`/`unknown` not in the replay go
   * back to `queued`; `sent`/peer copies not in the replay are removed as phantoms.
   */
  endReplay(): ReplayResult
  /** A live frame after the replay ended. */
  applyLive(frame: LiveFrame): LiveOutcome

  /** Add a local send as `queued` (or `failed` with `error`). */
  enqueue(content: string, error?: ChatErrorCode): ChatMessage
  /** The `queued` messages, oldest first, now marked `pending` (caller writes them to the socket). */
  takeQueued(): ChatMessage[]
  /** The socket dropped: every `pending` becomes `unknown`. */
  disconnected(): void
  /** `failed`/`unknown` own message back to `queued`. Returns false when no such message. */
  retry(id: string): boolean
  /** Remove an own message that is not `sent`. Returns false when no such message. */
  discard(id: string): boolean
  /** Mark an own message `failed` with a reason. */
  fail(id: string, error: ChatErrorCode): boolean

  /** Restore persisted unsent messages (after a reload); `pending` ones come back as `unknown`. */
  restore(entries: readonly OutboxEntry[]): void
  /** Own messages that are not `sent`, for persistence. */
  outbox(): OutboxEntry[]

  /** Read marker: number of peer messages read. */
  readonly readCount: number
  /** Set the read marker to every peer message so far; returns the new readCount. */
  markRead(): number
  /** Restore a persisted read marker. */
  setReadCount(count: number): void
  readonly unreadCount: number

  /** Messages in display order: server order, then live arrivals, then own unsent. Same array until a change. */
  messages(): readonly ChatMessage[]
  /** Increments on every visible change. */
  readonly version: number
}
