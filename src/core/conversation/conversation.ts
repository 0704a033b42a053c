/**
 * One conversation: glues the connection (socket), the user's state (timeline, outbox, read
 * marker), the race window, the echo watchdog and the opt-in typing extension, and exposes an
 * immutable snapshot with batched change notifications.
 */
import { createConnection, type ConnectionAuth } from '../transport/connection'
import { createEmitter } from '../emitter'
import { createNotifier, type NotifyStrategy } from './notify'
import { ChatError } from '../errors'
import { encodeMessage, type LiveFrame, type ReadFrame, type TypingFrame } from '../transport/protocol'
import { connectionStatus } from '../transport/phase'
import { DEFAULT_GAP_WINDOW_MS, UNSTORABLE } from '../timeline/timeline'
import type { OwnerLease } from '../persistence/owner-lease'
import { firstFrameWait, rememberReplay } from '../persistence/replay-memory'
import type { ResolvedOptions } from '../options'
import { createEchoWatchdog } from './echo-watchdog'
import { createRaceWindow } from './race-window'
import { createSendAttempts } from './send-attempts'
import { checkSend } from './send-check'
import type { TypingFactory } from './typing'
import type { HistoryLink, HistorySession } from './history'
import { createUserState, type UserState } from './user-state'
import type {
  ChatMessage,
  ConnectionStatus,
  Conversation,
  ConversationEvents,
  ConversationSnapshot,
  SendResult,
  UserId,
} from '../types'

export type { NotifyStrategy } from './notify'

/** What a conversation is built from. */
export interface ConversationCoreDeps {
  peerId: UserId
  options: ResolvedOptions
  auth: ConnectionAuth
  lease: OwnerLease
  newId: () => string
  /** Overrides `options.notify`. */
  notify?: NotifyStrategy
  /** The typing extension's factory, when it is on: without it typing costs nothing. */
  typing?: TypingFactory
  /** The history cache, when it is on (loaded on demand). */
  history?: Promise<HistorySession | null> | null
}

/** The shared, ref-counted state behind every `Conversation` handle for one peer. */
export interface ConversationCore extends Omit<Conversation, 'release'> {
  /** The signed-in user changed (or signed out: `null`). Rebuilds the timeline for a new user. */
  setUser(selfId: UserId | null): void
  /** Connect when a user is known (the client calls this on login and on acquire). */
  start(): void
  /** Close the socket; `unauthorized` keeps the timeline visible but stops retrying. */
  stop(status: 'idle' | 'unauthorized'): void
  /** Final close (reference count reached zero, or the client was destroyed). */
  close(): void
  /**
   * Heartbeat: a save storage refused is tried again, and so are sends held for it. `true` when the
   * messages of an owner that died since the last replay joined a live timeline: a replay must settle them.
   */
  tick(): boolean
  /**
   * Take the messages another owner abandoned here (once the claim is persisted). `true` when some
   * joined the timeline: they wait for a replay to tell which are stored.
   */
  adoptDead(): boolean
}

const EMPTY: readonly ChatMessage[] = Object.freeze([])

/** The conversation with `deps.peerId`; it connects once `setUser` and `start` were called. */
export function createConversationCore(deps: ConversationCoreDeps): ConversationCore {
  const { peerId, options, lease } = deps
  const { scheduler, storage, replayQuietMs, extensions } = options
  let selfId: UserId | null = null
  let user: UserState | null = null
  let cached: HistoryLink | null = null
  const events = createEmitter<{ [K in keyof ConversationEvents]: ConversationEvents[K] }>()
  /** Subscribers: an emitter isolates a listener that throws (rethrown in a microtask) from the others. */
  const changes = createEmitter<{ change: undefined }>()
  let snapshot: ConversationSnapshot | undefined
  /** The snapshot is rebuilt lazily, at most once per notification batch (`getSnapshot()` or notify). */
  let stale = false
  let notified: ConversationSnapshot
  let error: ChatError | null = null
  let lastStatus: ConnectionStatus = 'idle'
  /** The error of the last send that gave up, kept in the snapshot until the user retries or discards. */
  let sendGaveUp: ChatError | null = null
  let closed = false
  /**
   * The race duplicate follows the history burst at once: once the quiet period ended the replay,
   * no later frame can be one, so the window never outlasts `replayQuietMs`.
   */
  const gapWindowMs = Math.min(DEFAULT_GAP_WINDOW_MS, replayQuietMs)
  const attempts = createSendAttempts()

  /** Something in the snapshot may have changed: notify subscribers (see `NotifyStrategy`). */
  const changed = (mode?: boolean | 'now'): void => {
    if (closed) return
    stale = true
    notify(mode)
  }

  const report = (e: ChatError): void => {
    error = e
    changed()
    events.emit('error', e)
  }

  const persist = (retry?: boolean): void => user?.persist(retry)

  /** The user acted on a send that gave up: its error leaves the snapshot (not the connection's own `max_attempts`). */
  const clearGaveUp = (): void => {
    if (error === sendGaveUp) error = null
    sendGaveUp = null
  }

  /** Emit `message` for peer messages that became visible, persist, notify (`throttle`: a live frame, may be one of a burst). */
  const afterLive = (peerBefore: number, throttle?: boolean): void => {
    const timeline = user?.timeline
    if (!timeline) return
    const added = timeline.peerCount - peerBefore
    if (added > 0) {
      typing?.peer(false)
      for (const m of timeline.lastPeerMessages(added)) events.emit('message', m)
    }
    persist()
    changed(throttle)
  }

  /** Write queued messages to the socket, only once the replay is over (never stored twice). */
  const flush = (): void => {
    const u = user
    if (!u || !connection.live || u.timeline.replaying) return
    const timeline = u.timeline
    // A `queued` send with writes is one a replay proved not stored after each of them: at
    // `maxSendAttempts` it becomes `failed` instead of looping through resends and reconnects.
    for (const [id, n] of attempts.exhausted(id => timeline.unsentMessage(id)?.status, options.maxSendAttempts)) {
      timeline.fail(id, 'max_attempts')
      persist()
      report(sendGaveUp = new ChatError('max_attempts', `Message not stored after ${n} attempts`))
    }
    if (race.holds()) return
    // Sends another tab adopted while this one looked dead are that tab's to send now.
    let dropped = false
    for (const id of u.outbox.claimedElsewhere()) dropped = timeline.discard(id) || dropped
    const taken = timeline.takeQueued()
    if (taken.length === 0) {
      if (dropped) changed()
      return
    }
    // Persist `pending` before writing: a crash mid-write then comes back as `unknown`, never blindly
    // resent. A send whose stored copy still says `queued` (neither updated nor removed) waits for a
    // save that works: a later page would send that copy again.
    persist(true)
    const batch = taken.filter(m => !(u.outbox.mayBeQueued(m.id) && timeline.hold(m.id)))
    echo.written(batch.map(m => m.id))
    for (const message of batch) {
      if (!connection.send(encodeMessage(message.content))) break
    }
    // Subscribers see `pending` before the echo can arrive (it is I/O, after this microtask).
    changed('now')
  }

  const race = createRaceWindow(scheduler, gapWindowMs, {
    flush() {
      flush()
      changed()
    },
    deadline: () => user?.timeline.gapDeadline() ?? null,
    settle() {
      const timeline = user?.timeline
      if (!timeline || closed) return true
      const before = timeline.peerCount
      if (timeline.settle() === 0) return false
      afterLive(before)
      return true
    },
  })

  const echo = createEchoWatchdog(scheduler, options.echoTimeoutMs, {
    pending: id => user?.timeline.unsentMessage(id)?.status === 'pending',
    ignored: attempts.ignored,
    suspect(stuck) {
      report(new ChatError('network', `No echo within ${options.echoTimeoutMs} ms: reconnecting`))
      connection.reconnect(stuck, 'echo_timeout')
    },
  })

  const adoptDead = (): boolean => {
    const adopted = user?.outbox.adoptDead() ?? []
    if (!user || adopted.length === 0) return false
    user.timeline.restore(adopted)
    persist()
    changed()
    return true
  }

  const onFrame = (frame: LiveFrame | TypingFrame | ReadFrame): void => {
    const timeline = user?.timeline
    if (!timeline) return
    if (frame.kind === 'typing') {
      if (frame.senderId === peerId) typing?.peer(true)
      return
    }
    if (frame.kind === 'read') {
      // Only the peer's receipt counts: our own (echoed by some servers, or from another tab) never does.
      const receipts = user?.receipts
      if (frame.senderId === peerId && receipts) {
        receipts.received()
        changed()
      }
      return
    }
    const before = timeline.peerCount
    const outcome = timeline.applyLive(frame)
    if (outcome === 'echo') echo.arm()
    if (outcome === 'gap-duplicate' || outcome === 'held') race.repeat()
    afterLive(before, true)
  }

  const connection = createConnection(peerId, { ...options, extensions: !!(extensions.typing || extensions.readReceipts) }, deps.auth, {
    /** The socket opened: returns how long its replay may wait for a first frame. */
    open() {
      if (!user) return replayQuietMs
      adoptDead()
      race.history()
      user.timeline.beginReplay()
      return firstFrameWait(storage, user.replayKey, peerId, replayQuietMs, user.timeline.messages().length > 0)
    },
    resume() {
      race.history()
      user?.timeline.beginReplay()
    },
    history(frame) {
      race.history()
      const timeline = user?.timeline
      if (!timeline) return
      const version = timeline.version
      timeline.addReplayFrame(frame)
      // The first replay of an empty timeline is shown as it arrives, batched like a burst.
      if (timeline.version !== version) changed(true)
    },
    replayEnd(stats) {
      // The connection is live again: its error is over. A send that gave up keeps its error until
      // retry/discard (the flush below may report a new one, after this).
      if (error !== sendGaveUp) error = null
      if (!user) return
      const result = user.timeline.endReplay()
      cached?.replayed()
      if (!lease.passive) rememberReplay(storage, user.replayKey, peerId, stats)
      race.replayEnded()
      persist()
      user.receipts?.save()
      flush()
      changed()
      events.emit('replay', { ...stats, ...result })
    },
    replayState: () => user?.timeline.replayState() ?? 'complete',
    frame: onFrame,
    dropped(code) {
      const timeline = user?.timeline
      if (!timeline) return
      // 1011: the server failed on a frame we sent (a message its database refuses). Counted, or such
      // a message would be resent on every reconnect, forever, holding up the rest.
      const culprit = code === 1011 ? echo.culprit() : undefined
      if (culprit !== undefined) attempts.ignored(culprit)
      const before = timeline.peerCount
      timeline.disconnected()
      race.clear()
      echo.clear()
      typing?.peer(false)
      if (timeline.peerCount > before) afterLive(before)
      persist()
      changed()
    },
    transition(transition) {
      changed()
      if (transition.from !== transition.to) events.emit('transition', transition)
      const status = connectionStatus(transition.to)
      if (status !== lastStatus) events.emit('status', lastStatus = status)
    },
    error: report,
  })

  const typing = deps.typing?.(options, frame => connection.send(frame), () => changed()) ?? null

  /** The current state, or the previous snapshot object when nothing in it changed. */
  const build = (): ConversationSnapshot => {
    const timeline = user?.timeline
    const prev = snapshot
    const next: ConversationSnapshot = {
      peerId,
      status: connection.status,
      messages: timeline?.messages() ?? EMPTY,
      source: timeline?.source ?? 'none',
      unreadCount: timeline?.unreadCount ?? 0,
      hasPending: timeline?.hasPending ?? false,
      error,
      peerTyping: typing?.peerTyping ?? false,
      attempt: connection.attempt,
    }
    return prev && (Object.keys(next) as Array<keyof ConversationSnapshot>).every(k => next[k] === prev[k]) ? prev : Object.freeze(next)
  }

  const getSnapshot = (): ConversationSnapshot => {
    if (stale || !snapshot) {
      stale = false
      snapshot = build()
    }
    return snapshot
  }

  notified = getSnapshot()
  const notify = createNotifier(() => {
    const s = getSnapshot()
    if (s === notified || closed) return
    notified = s
    changes.emit('change', undefined)
  }, deps.notify ?? options.notify, scheduler)

  return {
    peerId,
    setUser(id) {
      if (closed || id === selfId) return
      connection.stop('idle')
      // Another account: what storage refused so far gets a last chance. Signed out: a logout just
      // removed this client's stored entries, and they must stay removed.
      if (id !== null) persist(true)
      selfId = id
      user = null
      cached?.close()
      cached = null
      attempts.reset()
      sendGaveUp = null
      if (id !== null) {
        const u = user = createUserState(id, peerId, options, lease, deps.newId, gapWindowMs)
        void deps.history?.then((session) => {
          // Shown in this task's microtasks, not after a timer: the cache is what the page opens with.
          if (session && user === u && !closed) cached = session.open(id, peerId, u.timeline, () => changed('now'))
        })
      }
      changed()
    },
    start() {
      if (!closed && user) connection.start()
    },
    stop(status) {
      if (closed) return
      const was = connection.status
      connection.stop(status, status === 'idle' ? 'not_authenticated' : status)
      if (status === 'unauthorized' && was !== status) report(new ChatError(status, 'The session has expired: sign in again'))
    },
    close() {
      if (closed) return
      persist(true)
      connection.stop('closed')
      closed = true
      cached?.close()
      typing?.stop()
      race.clear()
      echo.clear()
      notify.cancel()
      events.clear()
      changes.clear()
    },
    getSnapshot,
    subscribe: listener => changes.on('change', listener),
    on: (event, handler) => events.on(event, handler),
    send(text): SendResult {
      if (typeof text !== 'string') {
        return { ok: false, error: new ChatError('invalid_message', 'A message must be a string') }
      }
      const timeline = user?.timeline
      if (closed) return { ok: false, error: new ChatError('closed', 'This conversation was released') }
      if (!timeline) return { ok: false, error: new ChatError('not_authenticated', 'Sign in before sending messages') }
      const content = checkSend(text, options, timeline.outbox())
      if (content instanceof ChatError) return { ok: false, error: content }
      const queued = timeline.enqueue(content)
      persist()
      flush()
      changed()
      return { ok: true, message: timeline.unsentMessage(queued.id) ?? queued }
    },
    retry(messageId) {
      const timeline = user?.timeline
      const message = timeline?.unsentMessage(messageId)
      // Such messages are no longer kept, but an older version may have persisted one.
      if (!timeline || !message || message.error === 'message_too_long' || UNSTORABLE.test(message.content)) return
      if (timeline.retry(messageId)) {
        attempts.reset(messageId)
        clearGaveUp()
        persist()
        flush()
        changed()
      }
    },
    discard(messageId) {
      if (user?.timeline.discard(messageId)) {
        clearGaveUp()
        persist()
        changed()
      }
    },
    markRead() {
      if (!user) return
      const timeline = user.timeline
      const before = timeline.unreadCount
      user.reads.saveRead(timeline.markRead())
      if (before > 0) user.receipts?.read(frame => connection.send(frame))
      if (before !== timeline.unreadCount) changed()
    },
    notifyTyping() {
      typing?.notify()
    },
    reconnect() {
      if (!closed && user) connection.reconnect()
    },
    tick() {
      if (closed) return false
      const adopted = connection.live && adoptDead()
      persist(true)
      flush()
      return adopted
    },
    adoptDead,
  }
}
