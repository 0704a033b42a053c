/**
 * One conversation: glues the connection (socket), the timeline (reconciliation), the outbox
 * (persistence), the read marker and the typing extension, and exposes an immutable snapshot
 * with batched change notifications.
 */
import { Connection, type ConnectionAuth } from '../transport/connection'
import { createEmitter } from '../emitter'
import { createNotifier, type NotifyStrategy } from './notify'
import { ChatError } from '../errors'
import { encodeExtension, encodeMessage, type LiveFrame, type ReadFrame, type TypingFrame } from '../transport/protocol'
import { DEFAULT_GAP_WINDOW_MS, Timeline, UNSTORABLE } from '../timeline/timeline'
import type { OwnerLease } from '../persistence/outbox'
import { OUTBOX_MAX_CHARS, OUTBOX_MAX_ENTRIES, OutboxStore } from '../persistence/outbox'
import { readItem, writeItem } from '../persistence/safe-storage'
import type { ResolvedOptions } from '../options'
import type {
  ChatMessage,
  ConnectionStatus,
  ConversationEvents,
  ConversationSnapshot,
  SendResult,
  UserId,
} from '../types'

export type { NotifyStrategy } from './notify'

export interface ConversationCoreDeps {
  peerId: UserId
  options: ResolvedOptions
  auth: ConnectionAuth
  lease: OwnerLease
  newId: () => string
  /** Overrides `options.notify`. */
  notify?: NotifyStrategy
}

const EMPTY: readonly ChatMessage[] = Object.freeze([])

/** The shared, ref-counted state behind every `Conversation` handle for one peer. */
export class ConversationCore {
  readonly peerId: UserId
  #selfId: UserId | null = null
  #timeline: Timeline | null = null
  #outbox: OutboxStore | null = null
  readonly #connection: Connection
  readonly #events = createEmitter<{ [K in keyof ConversationEvents]: ConversationEvents[K] }>()
  /** Subscribers: an emitter isolates a listener that throws (rethrown in a microtask) from the others. */
  readonly #changes = createEmitter<{ change: undefined }>()
  #snapshot: ConversationSnapshot
  /** The snapshot is rebuilt lazily, at most once per notification batch (`getSnapshot()` or notify). */
  #stale = false
  #notified: ConversationSnapshot
  #error: ChatError | null = null
  #peerTyping = false
  #typingTimer: unknown = null
  #lastTypingSent = Number.NEGATIVE_INFINITY
  #lastStatus: ConnectionStatus = 'idle'
  /** `Timeline.outboxVersion()` last persisted; `null`: persist at the next chance. */
  #lastPersisted: string | null = null
  /** The version last tried: a refused one is tried again on the next change, heartbeat or close, not on every call. */
  #lastTried: string | null = null
  /** The last outbox write was refused. */
  #unsaved = false
  /** The peer-read count last written to storage. */
  #peerReadSaved = 0
  /** The read marker last written to storage (`-1`: none yet). */
  #readSaved = -1
  readonly #notify: ReturnType<typeof createNotifier>
  /**
   * Until then an own echo could be mistaken for a join/history race duplicate of the replay's tail
   * (same sender, same text): queued sends wait, so their echoes arrive after the window.
   */
  #gapUntil = 0
  #lastHistoryAt = 0
  #flushTimer: unknown = null
  #settleTimer: unknown = null
  /** Write time of each own send that may still be `pending` on this socket, oldest first (echo watchdog, 1011 culprit). */
  readonly #inFlight = new Map<string, number>()
  #echoTimer: unknown = null
  /** The send that tripped the watchdog last, and how many times in a row since its first trip. */
  #stuckId = ''
  #stuck = 0
  /**
   * Writes of each own send not yet confirmed (pruned lazily), see `maxSendAttempts`. In memory only
   * (persisting them costs ~46 B gz): after a reload a send gets a fresh count, still bounded.
   */
  readonly #writes = new Map<string, number>()
  /** The error of the last send that gave up, kept in the snapshot until the user retries or discards. */
  #sendGaveUp: ChatError | null = null
  #closed = false
  readonly #options: ResolvedOptions
  /**
   * The race duplicate follows the history burst at once: once the quiet period ended the replay,
   * no later frame can be one, so the window never outlasts `replayQuietMs`.
   */
  readonly #gapWindowMs: number

  readonly #deps: ConversationCoreDeps

  constructor(deps: ConversationCoreDeps) {
    this.#deps = deps
    this.peerId = deps.peerId
    this.#options = deps.options
    this.#gapWindowMs = Math.min(DEFAULT_GAP_WINDOW_MS, this.#options.replayQuietMs)
    const ext = this.#options.extensions
    this.#connection = new Connection(deps.peerId, { ...this.#options, extensions: ext.typing || ext.readReceipts }, deps.auth, {
      open: () => this.#onOpen(),
      history: (frame) => {
        this.#lastHistoryAt = this.#options.scheduler.now()
        this.#timeline?.addReplayFrame(frame)
      },
      replayEnd: () => this.#onReplayEnd(),
      replayState: () => this.#timeline?.replayState() ?? 'complete',
      frame: frame => this.#onFrame(frame),
      dropped: code => this.#onDropped(code),
      status: status => this.#onStatus(status),
      error: error => this.#report(error),
    })
    this.#snapshot = this.#notified = this.#build()
    this.#notify = createNotifier(() => this.#notifyListeners(), deps.notify ?? this.#options.notify, this.#options.scheduler)
  }

  /** The signed-in user changed (or signed out: `null`). Rebuilds the timeline for a new user. */
  setUser(selfId: UserId | null): void {
    if (this.#closed || selfId === this.#selfId) return
    this.#connection.stop('idle')
    // Another account: what storage refused so far gets a last chance. Signed out: a logout just
    // removed this client's stored entries, and they must stay removed.
    if (selfId !== null) this.#persist(true)
    this.#selfId = selfId
    this.#timeline = null
    this.#outbox = null
    this.#lastPersisted = null
    this.#lastTried = null
    this.#writes.clear()
    this.#sendGaveUp = null
    if (selfId !== null) {
      const timeline = new Timeline({
        selfId,
        peerId: this.peerId,
        now: () => this.#options.scheduler.now(),
        newId: this.#deps.newId,
        gapWindowMs: this.#gapWindowMs,
      })
      const outbox = new OutboxStore(this.#options.storage, this.#options.storageKey, selfId, this.peerId, this.#deps.lease)
      const restored = outbox.load()
      if (restored.length > 0) timeline.restore(restored)
      const read = Number(readItem(this.#options.storage, this.#readKey(selfId)))
      if (Number.isInteger(read) && read > 0) timeline.setReadCount(read)
      this.#readSaved = Number.isInteger(read) && read > 0 ? read : -1
      timeline.setPeerReadCount(Number(readItem(this.#options.storage, this.#readKey(selfId, 'peerRead'))))
      this.#peerReadSaved = timeline.peerReadCount
      this.#timeline = timeline
      this.#outbox = outbox
      this.#persist()
    }
    this.#changed()
  }

  /** Connect when a user is known (the client calls this on login and on acquire). */
  start(): void {
    if (this.#closed || this.#timeline === null) return
    this.#connection.start()
  }

  /** Close the socket; `unauthorized` keeps the timeline visible but stops retrying. */
  stop(status: 'idle' | 'unauthorized'): void {
    if (this.#closed) return
    const was = this.#connection.status
    this.#connection.stop(status)
    if (status === 'unauthorized' && was !== 'unauthorized') {
      this.#report(new ChatError('unauthorized', 'The session has expired: sign in again'))
    }
  }

  /** Final close (reference count reached zero, or the client was destroyed). */
  close(): void {
    if (this.#closed) return
    this.#persist(true)
    this.#connection.stop('closed')
    this.#closed = true
    this.#clearTypingTimer()
    this.#clearTimers()
    this.#notify.cancel()
    this.#events.clear()
    this.#changes.clear()
  }

  getSnapshot(): ConversationSnapshot {
    if (this.#stale) {
      this.#stale = false
      this.#snapshot = this.#build()
    }
    return this.#snapshot
  }

  subscribe(listener: () => void): () => void {
    return this.#changes.on('change', listener)
  }

  on<K extends keyof ConversationEvents>(event: K, handler: (payload: ConversationEvents[K]) => void): () => void {
    return this.#events.on(event, handler)
  }

  send(text: string): SendResult {
    if (typeof text !== 'string') {
      return { ok: false, error: new ChatError('invalid_message', 'A message must be a string') }
    }
    const timeline = this.#timeline
    if (this.#closed) return { ok: false, error: new ChatError('closed', 'This conversation was released') }
    if (!timeline) return { ok: false, error: new ChatError('not_authenticated', 'Sign in before sending messages') }
    const content = this.#options.trim ? text.trim() : text
    if (!this.#options.allowEmpty && content.trim() === '') {
      return { ok: false, error: new ChatError('empty_message', 'The message is empty') }
    }
    if (UNSTORABLE.test(content)) {
      return { ok: false, error: new ChatError('invalid_message', 'The message has a NUL or an unpaired surrogate') }
    }
    const max = this.#options.maxMessageLength
    if (content.length > max) {
      return { ok: false, error: new ChatError('message_too_long', `The message is longer than ${max} characters`, { details: { length: content.length, max } }) }
    }
    const unsent = timeline.outbox()
    const entries = unsent.length
    const chars = unsent.reduce((n, e) => n + e.content.length, 0)
    if (entries >= OUTBOX_MAX_ENTRIES || chars + content.length > OUTBOX_MAX_CHARS) {
      const details = { entries, chars, maxEntries: OUTBOX_MAX_ENTRIES, maxChars: OUTBOX_MAX_CHARS }
      return { ok: false, error: new ChatError('outbox_full', 'Too many unsent messages', { details }) }
    }
    const queued = timeline.enqueue(content)
    this.#persist()
    this.#flush()
    this.#changed()
    return { ok: true, message: timeline.unsentMessage(queued.id) ?? queued }
  }

  retry(messageId: string): void {
    const timeline = this.#timeline
    const message = timeline?.unsentMessage(messageId)
    // Such messages are no longer kept, but an older version may have persisted one.
    if (!timeline || !message || message.error === 'message_too_long' || UNSTORABLE.test(message.content)) return
    if (timeline.retry(messageId)) {
      this.#writes.delete(messageId)
      this.#clearGaveUp()
      this.#persist()
      this.#flush()
      this.#changed()
    }
  }

  discard(messageId: string): void {
    if (this.#timeline?.discard(messageId)) {
      this.#clearGaveUp()
      this.#persist()
      this.#changed()
    }
  }

  markRead(): void {
    const timeline = this.#timeline
    if (!timeline || this.#selfId === null) return
    const before = timeline.unreadCount
    const count = timeline.markRead()
    if (count !== this.#readSaved && !this.#deps.lease.passive && writeItem(this.#options.storage, this.#readKey(this.#selfId), String(count))) {
      this.#readSaved = count
      this.#outbox?.index()
    }
    if (this.#options.extensions.readReceipts && before > 0) this.#connection.send(encodeExtension('read'))
    if (before !== timeline.unreadCount) this.#changed()
  }

  notifyTyping(): void {
    if (!this.#options.extensions.typing || !this.#connection.live) return
    const now = this.#options.scheduler.now()
    if (now - this.#lastTypingSent < this.#options.typingThrottleMs) return
    if (this.#connection.send(encodeExtension('typing'))) this.#lastTypingSent = now
  }

  reconnect(): void {
    if (this.#closed || this.#timeline === null) return
    this.#connection.reconnect()
  }

  /**
   * Heartbeat: a save storage refused is tried again, and so are sends held for it. `true` when the
   * messages of an owner that died since the last replay joined a live timeline: a replay must settle them.
   */
  tick(): boolean {
    if (this.#closed) return false
    const adopted = this.#connection.live && this.adoptDead()
    this.#persist(true)
    this.#flush()
    return adopted
  }

  #onOpen(): void {
    const timeline = this.#timeline
    if (!timeline) return
    this.adoptDead()
    this.#lastHistoryAt = this.#options.scheduler.now()
    timeline.beginReplay()
  }

  #onReplayEnd(): void {
    // The connection is live again: its error is over. A send that gave up keeps its error until
    // retry/discard (the flush below may report a new one, after this).
    if (this.#error !== this.#sendGaveUp) this.#error = null
    const timeline = this.#timeline
    if (!timeline) return
    if (timeline.replaying) timeline.endReplay()
    this.#gapUntil = this.#lastHistoryAt + this.#gapWindowMs
    this.#persist()
    this.#savePeerRead()
    this.#flush()
    this.#changed()
  }

  #onFrame(frame: LiveFrame | TypingFrame | ReadFrame): void {
    const timeline = this.#timeline
    if (!timeline) return
    if (frame.kind === 'typing') {
      if (frame.senderId === this.peerId && this.#options.extensions.typing) this.#setPeerTyping(true)
      return
    }
    if (frame.kind === 'read') {
      // Only the peer's receipt counts: our own (echoed by some servers, or from another tab) never does.
      if (frame.senderId === this.peerId && this.#options.extensions.readReceipts) {
        timeline.markReadByPeer()
        this.#savePeerRead()
        this.#changed()
      }
      return
    }
    const before = timeline.peerCount
    const outcome = timeline.applyLive(frame)
    if (outcome === 'echo') this.#armEcho()
    if (outcome === 'gap-duplicate' || outcome === 'held') {
      this.#gapUntil = this.#options.scheduler.now() + this.#gapWindowMs
      this.#armSettle()
    }
    this.#afterLive(before, true)
  }

  /** Emit `message` for peer messages that became visible, persist, notify (`throttle`: a live frame, may be one of a burst). */
  #afterLive(peerBefore: number, throttle?: boolean): void {
    const timeline = this.#timeline
    if (!timeline) return
    const added = timeline.peerCount - peerBefore
    if (added > 0) {
      this.#setPeerTyping(false)
      for (const m of timeline.lastPeerMessages(added)) this.#events.emit('message', m)
    }
    this.#persist()
    this.#changed(throttle)
  }

  /** Held-back frames (possible race duplicates) become visible once the gap window passed. */
  #armSettle(): void {
    const timeline = this.#timeline
    const scheduler = this.#options.scheduler
    if (this.#settleTimer !== null) scheduler.clearTimeout(this.#settleTimer)
    this.#settleTimer = null
    const deadline = timeline?.gapDeadline()
    if (deadline === null || deadline === undefined) return
    // Never longer than the window: after a clock step back, settle() ends it when this fires.
    this.#settleTimer = scheduler.setTimeout(() => {
      this.#settleTimer = null
      if (!this.#timeline || this.#closed) return
      const before = this.#timeline.peerCount
      if (this.#timeline.settle() > 0) this.#afterLive(before)
      else this.#armSettle()
    }, Math.min(this.#gapWindowMs, Math.max(0, deadline - scheduler.now())) + 1)
  }

  #onDropped(code: number): void {
    const timeline = this.#timeline
    if (!timeline) return
    // 1011: the server failed on a frame we sent (a message its database refuses). It handles frames
    // in order, so the culprit is the oldest send still pending; the ones after it never got read.
    // Counted, or such a message would be resent on every reconnect, forever, holding up the rest.
    if (code === 1011) {
      const culprit = [...this.#inFlight.keys()].find(id => timeline.unsentMessage(id)?.status === 'pending')
      if (culprit !== undefined) this.#ignoredWrite(culprit)
    }
    const before = timeline.peerCount
    timeline.disconnected()
    this.#clearTimers()
    this.#setPeerTyping(false)
    if (timeline.peerCount > before) this.#afterLive(before)
    this.#persist()
    this.#changed()
  }

  #onStatus(status: ConnectionStatus): void {
    this.#changed()
    if (status !== this.#lastStatus) {
      this.#lastStatus = status
      this.#events.emit('status', status)
    }
  }

  /** One more write of send `id` that the server did not store (see `maxSendAttempts`). */
  #ignoredWrite(id: string): void {
    this.#writes.set(id, (this.#writes.get(id) ?? 0) + 1)
  }

  /** The user acted on a send that gave up: its error leaves the snapshot (not the connection's own `max_attempts`). */
  #clearGaveUp(): void {
    if (this.#error === this.#sendGaveUp) this.#error = null
    this.#sendGaveUp = null
  }

  #report(error: ChatError): void {
    this.#error = error
    this.#changed()
    this.#events.emit('error', error)
  }

  /** Write queued messages to the socket, only once the replay is over (never stored twice). */
  #flush(): void {
    const timeline = this.#timeline
    if (!timeline || !this.#connection.live || timeline.replaying) return
    this.#giveUp(timeline)
    const scheduler = this.#options.scheduler
    // The clock went back since the window began: wait one full window from now, never the step's length.
    if (this.#gapUntil - scheduler.now() > this.#gapWindowMs) this.#gapUntil = scheduler.now() + this.#gapWindowMs
    const wait = this.#gapUntil - scheduler.now()
    if (wait > 0) {
      if (this.#flushTimer === null) {
        this.#flushTimer = scheduler.setTimeout(() => {
          this.#flushTimer = null
          this.#flush()
          this.#changed()
        }, wait + 1)
      }
      return
    }
    // Sends another tab adopted while this one looked dead are that tab's to send now.
    let dropped = false
    for (const id of this.#outbox?.claimedElsewhere() ?? []) dropped = timeline.discard(id) || dropped
    const taken = timeline.takeQueued()
    if (taken.length === 0) {
      if (dropped) this.#changed()
      return
    }
    // Persist `pending` before writing: a crash mid-write then comes back as `unknown`, never blindly
    // resent. A send whose stored copy still says `queued` (neither updated nor removed) waits for a
    // save that works: a later page would send that copy again.
    this.#persist(true)
    const batch = taken.filter(m => !(this.#outbox?.mayBeQueued(m.id) && timeline.hold(m.id)))
    for (const message of batch) this.#inFlight.set(message.id, scheduler.now())
    this.#armEcho()
    for (const message of batch) {
      if (!this.#connection.send(encodeMessage(message.content))) break
    }
    // Subscribers see `pending` before the echo can arrive (it is I/O, after this microtask).
    this.#changed('now')
  }

  /**
   * A `queued` send with writes is one a replay proved not stored after each of them: at
   * `maxSendAttempts` it becomes `failed` (`max_attempts`) instead of looping through resends and
   * reconnects. Counts of sends confirmed or discarded meanwhile are dropped here.
   */
  #giveUp(timeline: Timeline): void {
    for (const [id, n] of this.#writes) {
      const status = timeline.unsentMessage(id)?.status
      if (!status) this.#writes.delete(id)
      else if (status === 'queued' && n >= this.#options.maxSendAttempts) {
        this.#writes.delete(id)
        timeline.fail(id, 'max_attempts')
        this.#persist()
        this.#report(this.#sendGaveUp = new ChatError('max_attempts', `Message not stored after ${n} attempts`))
      }
    }
  }

  /**
   * One timer, for the oldest send still `pending` (entries confirmed meanwhile are dropped first).
   * Past its deadline the socket is suspect (echo off, echo swallowed, half-open TCP): drop it and
   * let the replay decide. With `echoTimeoutMs: 0` it only prunes.
   */
  #armEcho(): void {
    const { scheduler, echoTimeoutMs: ms } = this.#options
    if (this.#echoTimer !== null) scheduler.clearTimeout(this.#echoTimer)
    this.#echoTimer = null
    for (const [id, at] of this.#inFlight) {
      const now = scheduler.now()
      if (this.#timeline?.unsentMessage(id)?.status !== 'pending') {
        this.#inFlight.delete(id)
      }
      else if (!ms) {
        return
      }
      else if (at + ms > now) {
        // Written "in the future": the clock went back. The window restarts now instead of lasting the step.
        if (at > now) this.#inFlight.set(id, now)
        this.#echoTimer = scheduler.setTimeout(() => this.#armEcho(), Math.min(ms, at + ms - now))
        return
      }
      else {
        // The socket stayed open for the whole echo window: the server had the frame and did not
        // answer, an attempt (a socket that closed first, a network drop, costs none; 1011 does).
        for (const [pending, at] of this.#inFlight) {
          if (at + ms <= scheduler.now()) this.#ignoredWrite(pending)
        }
        this.#stuck = id === this.#stuckId ? this.#stuck + 1 : 0
        this.#stuckId = id
        this.#report(new ChatError('network', `No echo within ${ms} ms: reconnecting`))
        this.#connection.reconnect(this.#stuck)
        return
      }
    }
  }

  #setPeerTyping(value: boolean): void {
    this.#clearTypingTimer()
    if (value) {
      this.#typingTimer = this.#options.scheduler.setTimeout(() => {
        this.#typingTimer = null
        this.#setPeerTyping(false)
      }, this.#options.typingTimeoutMs)
    }
    if (this.#peerTyping !== value) {
      this.#peerTyping = value
      this.#changed()
    }
  }

  #clearTimers(): void {
    const scheduler = this.#options.scheduler
    if (this.#flushTimer !== null) scheduler.clearTimeout(this.#flushTimer)
    if (this.#settleTimer !== null) scheduler.clearTimeout(this.#settleTimer)
    this.#flushTimer = null
    this.#settleTimer = null
    this.#inFlight.clear()
    this.#armEcho()
  }

  #clearTypingTimer(): void {
    if (this.#typingTimer !== null) {
      this.#options.scheduler.clearTimeout(this.#typingTimer)
      this.#typingTimer = null
    }
  }

  /** Save the outbox when it changed since the last save that took effect (`retry`: also when that state was refused already). */
  #persist(retry?: boolean): void {
    if (!this.#timeline || !this.#outbox) return
    const version = this.#timeline.outboxVersion()
    if (version === this.#lastPersisted || (version === this.#lastTried && !retry)) return
    this.#lastTried = version
    const saved = this.#outbox.save(this.#timeline.outbox())
    if (saved) this.#lastPersisted = version
    // Reported once per change of state, not per write: a full storage stays full for a while.
    if (saved === this.#unsaved) {
      this.#unsaved = !saved
      if (!saved) this.#options.logger?.warn?.('[conversation] outbox kept in memory only: storage refused it', { key: this.#outbox.key })
    }
  }

  /**
   * Take the messages another owner abandoned here (once the claim is persisted). `true` when some
   * joined the timeline: they wait for a replay to tell which are stored.
   */
  adoptDead(): boolean {
    const timeline = this.#timeline
    const adopted = this.#outbox?.adoptDead() ?? []
    if (!timeline || adopted.length === 0) return false
    timeline.restore(adopted)
    this.#persist()
    this.#changed()
    return true
  }

  /** `read`: own read marker; `peerRead`: the peer's read receipts (a count of own messages). */
  #readKey(selfId: UserId, kind = 'read'): string {
    return `${this.#options.storageKey}:${kind}:${selfId}:${this.peerId}`
  }

  /** Persist the peer's read receipts (a count of own messages) when it changed. */
  #savePeerRead(): void {
    const count = this.#timeline?.peerReadCount ?? 0
    if (this.#selfId === null || count === this.#peerReadSaved || this.#deps.lease.passive) return
    this.#peerReadSaved = count
    if (writeItem(this.#options.storage, this.#readKey(this.#selfId, 'peerRead'), String(count))) this.#outbox?.index()
  }


  /** The current state, or the previous snapshot object when nothing in it changed. */
  #build(): ConversationSnapshot {
    const timeline = this.#timeline
    const prev = this.#snapshot as ConversationSnapshot | undefined
    const next: ConversationSnapshot = {
      peerId: this.peerId,
      status: this.#connection.status,
      messages: timeline?.messages() ?? EMPTY,
      unreadCount: timeline?.unreadCount ?? 0,
      hasPending: timeline?.hasPending ?? false,
      error: this.#error,
      peerTyping: this.#peerTyping,
      attempt: this.#connection.attempt,
    }
    return prev && (Object.keys(next) as Array<keyof ConversationSnapshot>).every(k => next[k] === prev[k]) ? prev : Object.freeze(next)
  }

  /** Something in the snapshot may have changed: notify subscribers (see `NotifyStrategy`). */
  #changed(mode?: boolean | 'now'): void {
    if (this.#closed) return
    this.#stale = true
    this.#notify(mode)
  }

  #notifyListeners(): void {
    const snapshot = this.getSnapshot()
    if (snapshot === this.#notified || this.#closed) return
    this.#notified = snapshot
    this.#changes.emit('change', undefined)
  }
}
