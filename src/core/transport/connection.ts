/**
 * One WebSocket per conversation: connect with a fresh token, detect the end of the history
 * replay, reconnect with full-jitter backoff, react to online/visibility signals and tell an auth
 * failure from an outage. Knows nothing about messages: frames go to the handlers.
 */
import { computeBackoff } from './backoff'
import { ChatError, isChatError } from '../errors'
import { decodeInbound, type HistoryFrame, type LiveFrame, type ReadFrame, type TypingFrame } from './protocol'
import type { ResolvedOptions } from '../options'
import type { ConnectionStatus, UserId, WebSocketConstructor, WebSocketLike } from '../types'
import { chatSocketUrl } from './urls'

/** What the connection needs from auth. */
export interface ConnectionAuth {
  getAccessToken(): Promise<string>
  diagnoseHandshakeFailure(tokenUsed: string): Promise<'outage' | 'refreshed' | 'unauthorized'>
}

/** Callbacks from the connection to its conversation, in protocol order. */
export interface ConnectionHandlers {
  /** The socket opened: a history replay starts. */
  open(): void
  /** One frame of the replay. */
  history(frame: HistoryFrame): void
  /** The replay ended (first live frame or quiet period); the status is already `live`. */
  replayEnd(): void
  /** May the replay received so far be the whole history? (see `Timeline.replayState()`) */
  replayState(): 'complete' | 'short' | 'unproven'
  /** A live frame after the replay. */
  frame(frame: LiveFrame | TypingFrame | ReadFrame): void
  /** An open socket went away (anything written and not echoed is now uncertain); its close code, 1000 when we closed it. */
  dropped(code: number): void
  /** Status or attempt count changed. */
  status(status: ConnectionStatus): void
  error(error: ChatError): void
}

export type ConnectionConfig = Pick<
  ResolvedOptions,
  | 'wsUrl' | 'WebSocket' | 'scheduler' | 'signals' | 'reconnect' | 'replayQuietMs' | 'pauseWhenHidden' | 'random' | 'logger'
  | 'maxFrameLength' | 'maxReplayFrames' | 'maxReplayMs'
> & {
  /** Decode typing/read extension frames. */
  readonly extensions: boolean
}

const OPEN = 1
const noop = (): void => {}

/**
 * The replay has no end marker. A quiet period ends it only when it can be complete; otherwise:
 * no first frame while own sends await proof and nothing bounds the replay → wait this long (from
 * the open) before taking it as empty.
 */
export const REPLAY_FIRST_FRAME_MS = 2000
/** A replay shorter than the last one stalled this long since its last frame → reconnect with backoff. */
export const REPLAY_STALL_MS = 3000
/** This many short replays in a row are accepted: the server really lost messages. */
export const MAX_SHORT_REPLAYS = 3
/**
 * A live socket must last this long, or `reconnect.maxDelayMs` when shorter, before its drop starts
 * the backoff over: a server that fails each socket soon after the replay gets growing delays.
 */
export const STABLE_LIVE_MS = 10_000

/** One socket to `{wsUrl}/ws/chat/{peerId}/`, with its state machine. */
export class Connection {
  #state: ConnectionStatus = 'idle'
  #socket: WebSocketLike | null = null
  #opened = false
  /** Bumped whenever the current attempt is abandoned: late callbacks of older attempts are ignored. */
  #generation = 0
  #timer: unknown = null
  #quietTimer: unknown = null
  /** When `#quietTimer` fires (scheduler time). */
  #quietDue = 0
  /** When the quiet timer was last armed (the open or the last history frame). */
  #armedAt = 0
  /** When the current socket opened (bounds the replay by `maxReplayMs`). */
  #openedAt = 0
  /** Consecutive replays cut off by `REPLAY_STALL_MS` while shorter than the last one. */
  #short = 0
  /** Replays cut off in a row by `maxReplayFrames` / `maxReplayMs`; each one doubles both bounds. */
  #cutOffs = 0
  /** History frames of the current replay, and the least a replay must hold (a cut-short replay's count + 1). */
  #frames = 0
  #minFrames = 0
  #wanted = false
  #paused = false
  #gaveUp = false
  #lastWasRefresh = false
  #failures = 0
  /** Failures before the socket went live (restored when it drops too soon), and since when it is live. */
  #failuresBeforeLive = 0
  #liveSince = 0
  readonly #unsubscribeSignals: () => void
  readonly #peerId: UserId
  readonly #config: ConnectionConfig
  readonly #auth: ConnectionAuth
  readonly #handlers: ConnectionHandlers

  constructor(peerId: UserId, config: ConnectionConfig, auth: ConnectionAuth, handlers: ConnectionHandlers) {
    this.#peerId = peerId
    this.#config = config
    this.#auth = auth
    this.#handlers = handlers
    this.#unsubscribeSignals = config.signals.subscribe(() => this.#onSignals())
  }

  /** Current state. */
  get status(): ConnectionStatus {
    return this.#state
  }

  /** Consecutive failed attempts since the conversation was last live (for a while: see `STABLE_LIVE_MS`). */
  get attempt(): number {
    return this.#failures
  }

  /** A socket exists and the replay is over. */
  get live(): boolean {
    return this.#state === 'live' && this.#socket !== null && this.#socket.readyState === OPEN
  }

  /** Begin (or keep) connecting. Without a WebSocket constructor the status stays `idle`. */
  start(): void {
    if (this.#state === 'closed') return
    this.#wanted = true
    if (this.#socket || this.#timer !== null || this.#state !== 'idle' && this.#state !== 'unauthorized' && this.#state !== 'offline') return
    this.#gaveUp = false
    this.#failures = 0
    this.#connectIfAllowed(true)
  }

  /** Stop: close the socket, cancel timers and settle in `status` (`idle`, `unauthorized` or `closed`). */
  stop(status: 'idle' | 'unauthorized' | 'closed'): void {
    if (this.#state === 'closed') return
    this.#wanted = false
    this.#paused = false
    this.#abandon()
    this.#failures = 0
    this.#setStatus(status)
    if (status === 'closed') this.#unsubscribeSignals()
  }

  /**
   * Drop the socket and connect again at once, with the backoff reset; or, for a socket that failed
   * `failures` times in a row (the same send stuck again), after that many failures' backoff.
   */
  reconnect(failures = 0): void {
    if (this.#state === 'closed') return
    this.#wanted = true
    this.#gaveUp = false
    this.#failures = failures && failures - 1
    this.#lastWasRefresh = false
    this.#abandon()
    if (failures) this.#scheduleRetry()
    else this.#connectIfAllowed(true)
  }

  /** Write one frame if the socket is open and the replay is over. */
  send(data: string): boolean {
    const socket = this.#socket
    if (!socket || this.#state !== 'live' || socket.readyState !== OPEN) return false
    try {
      socket.send(data)
      return true
    }
    catch {
      return false
    }
  }

  #setStatus(status: ConnectionStatus): void {
    this.#state = status
    this.#handlers.status(status)
  }

  #onSignals(): void {
    if (!this.#wanted || this.#state === 'closed' || this.#state === 'unauthorized') return
    const { signals, pauseWhenHidden } = this.#config
    if (!signals.isOnline()) {
      if (this.#state !== 'offline') {
        this.#abandon()
        this.#setStatus('offline')
      }
      return
    }
    if (pauseWhenHidden && !signals.isVisible()) {
      if (!this.#paused) {
        this.#paused = true
        this.#abandon()
        this.#setStatus('idle')
      }
      return
    }
    const waiting = this.#timer !== null && !this.#socket
    if (this.#state === 'offline' || this.#paused || (waiting && signals.isVisible()) || this.#gaveUp) {
      this.#paused = false
      this.#gaveUp = false
      this.#failures = 0
      this.#abandon()
      this.#connectIfAllowed(true)
    }
  }

  #connectIfAllowed(first: boolean): void {
    if (!this.#wanted || this.#state === 'closed') return
    const { signals, pauseWhenHidden } = this.#config
    if (!this.#config.WebSocket || !this.#config.wsUrl) {
      if (this.#state !== 'idle') this.#setStatus('idle')
      return
    }
    if (!signals.isOnline()) {
      this.#setStatus('offline')
      return
    }
    if (pauseWhenHidden && !signals.isVisible()) {
      this.#paused = true
      this.#setStatus('idle')
      return
    }
    void this.#connect(first)
  }

  async #connect(first: boolean): Promise<void> {
    const gen = ++this.#generation
    this.#timer = this.#cancel(this.#timer)
    this.#setStatus(first && this.#failures === 0 ? 'connecting' : 'reconnecting')
    let token: string
    try {
      token = await this.#auth.getAccessToken()
    }
    catch (error) {
      if (gen !== this.#generation) return
      const err = isChatError(error) ? error : new ChatError('network', 'No access token', { cause: error })
      if (err.code === 'unauthorized' || err.code === 'refresh_failed') {
        this.#handlers.error(err)
        this.stop('unauthorized')
      }
      else if (err.code === 'not_authenticated') {
        this.stop('idle')
      }
      else {
        this.#handlers.error(err)
        this.#scheduleRetry()
      }
      return
    }
    if (gen !== this.#generation || !this.#wanted) return
    // #connectIfAllowed checked the constructor (config is immutable); a throw lands in the catch anyway.
    const Ctor = this.#config.WebSocket as WebSocketConstructor
    let socket: WebSocketLike
    try {
      socket = new Ctor(chatSocketUrl(this.#config.wsUrl, this.#peerId, token))
    }
    catch (error) {
      this.#handlers.error(new ChatError('network', 'WebSocket not created', { cause: error instanceof Error ? error.name : undefined }))
      this.#scheduleRetry()
      return
    }
    this.#socket = socket
    this.#opened = false
    socket.onopen = () => {
      if (gen !== this.#generation) return
      this.#opened = true
      this.#lastWasRefresh = false
      this.#frames = 0
      this.#openedAt = this.#config.scheduler.now()
      this.#setStatus('syncing')
      this.#handlers.open()
      this.#armQuietTimer(gen)
    }
    socket.onmessage = (ev) => {
      if (gen === this.#generation) this.#onMessage(gen, ev.data)
    }
    socket.onerror = noop
    socket.onclose = (ev) => {
      if (gen === this.#generation) this.#onClose(token, ev.code)
    }
  }

  #onMessage(gen: number, data: unknown): void {
    const frame = decodeInbound(data, this.#config.extensions, this.#config.maxFrameLength)
    if (frame instanceof ChatError) {
      this.#handlers.error(frame)
      return
    }
    if (frame.kind === 'history') {
      if (this.#state === 'syncing') {
        const now = this.#config.scheduler.now()
        const scale = 2 ** this.#cutOffs
        if (++this.#frames > this.#config.maxReplayFrames * scale || now - this.#openedAt > this.#config.maxReplayMs * scale) {
          this.#replayTooLong(now)
          return
        }
        this.#handlers.history(frame)
        this.#armQuietTimer(gen, now)
      }
      else {
        // History while live: the replay was ended too early and the timeline may lack messages.
        this.#config.logger?.debug?.('late history frame: resyncing')
        this.#minFrames = this.#frames + 1
        this.#abandon()
        this.#scheduleRetry()
      }
      return
    }
    if (this.#state === 'syncing') this.#endReplay()
    if (gen !== this.#generation) return
    this.#handlers.frame(frame)
  }

  /**
   * A replay that never goes quiet: drop it and reconnect with backoff (the attempt count keeps
   * growing until a replay ends, so `reconnect.maxAttempts` still applies). Never `replayEnd`:
   * queued sends must not be flushed into a replay that has not ended. Each cut-off in a row doubles
   * the bounds, so a finite but slow replay ends after a few downloads instead of never.
   */
  #replayTooLong(now: number): void {
    const scale = 2 ** this.#cutOffs++
    this.#handlers.error(new ChatError('replay_too_long', 'The history replay did not end: reconnecting', {
      details: {
        frames: this.#frames,
        elapsedMs: now - this.#openedAt,
        maxReplayFrames: this.#config.maxReplayFrames * scale,
        maxReplayMs: this.#config.maxReplayMs * scale,
      },
    }))
    this.#abandon()
    this.#scheduleRetry()
  }

  /**
   * A replay frame (or the open): the quiet period restarts. The timer is not re-armed per frame (a
   * 100k-frame replay would cost 100k clearTimeout/setTimeout pairs) but at most about twice per
   * quiet period, from here: when it is due within half a period, or later than the new period ends
   * (a stall wait). Re-arming from the frame handler rather than from the timer keeps the timers from
   * forming a chain, which browsers throttle to once a minute in long-hidden tabs.
   */
  #armQuietTimer(gen: number, now = this.#config.scheduler.now()): void {
    const quiet = this.#config.replayQuietMs
    this.#armedAt = now
    const due = this.#quietDue - now
    if (this.#quietTimer === null || due > quiet || due < quiet / 2) this.#wait(gen, quiet)
  }

  #wait(gen: number, ms: number): void {
    const scheduler = this.#config.scheduler
    this.#cancel(this.#quietTimer)
    this.#quietDue = scheduler.now() + ms
    this.#quietTimer = scheduler.setTimeout(() => {
      this.#quietTimer = null
      if (gen !== this.#generation || this.#state !== 'syncing') return
      const now = scheduler.now()
      const quiet = this.#config.replayQuietMs
      let rest = this.#armedAt + quiet - now
      // The wall clock went back since the last frame: count the quiet period from now.
      if (rest > quiet) {
        this.#armedAt = now
        rest = quiet
      }
      if (rest > 0) this.#wait(gen, rest)
      else this.#onQuiet(gen)
    }, ms)
  }

  /** No frame for a quiet period: end the replay if it can be complete, else keep waiting up to a cap. */
  #onQuiet(gen: number): void {
    const state = this.#frames < this.#minFrames ? 'short' : this.#handlers.replayState()
    const left = this.#armedAt + (state === 'short' ? REPLAY_STALL_MS : REPLAY_FIRST_FRAME_MS) - this.#config.scheduler.now()
    if (state !== 'complete' && left > 0) {
      this.#wait(gen, left)
    }
    else if (state === 'short' && ++this.#short < MAX_SHORT_REPLAYS) {
      this.#abandon()
      this.#scheduleRetry()
    }
    else {
      this.#endReplay()
    }
  }

  #endReplay(): void {
    this.#quietTimer = this.#cancel(this.#quietTimer)
    this.#short = this.#minFrames = this.#cutOffs = 0
    this.#failuresBeforeLive = this.#failures
    this.#failures = 0
    this.#liveSince = this.#config.scheduler.now()
    this.#state = 'live'
    this.#handlers.replayEnd()
    this.#handlers.status('live')
  }

  #onClose(token: string, code: number): void {
    const wasOpen = this.#opened
    const { scheduler, reconnect } = this.#config
    if (this.#state === 'live' && scheduler.now() - this.#liveSince < Math.min(STABLE_LIVE_MS, reconnect.maxDelayMs)) {
      this.#failures = this.#failuresBeforeLive
    }
    this.#detach()
    if (wasOpen) this.#handlers.dropped(code)
    if (!this.#wanted) return
    if (!wasOpen || code === 4401) {
      void this.#handshakeFailed(token, code)
      return
    }
    if (code === 1011) {
      this.#handlers.error(new ChatError('server_error', 'Server closed the socket (1011)', { status: code }))
    }
    this.#scheduleRetry()
  }

  async #handshakeFailed(token: string, code: number): Promise<void> {
    const gen = ++this.#generation
    this.#setStatus('reconnecting')
    let verdict: 'outage' | 'refreshed' | 'unauthorized'
    try {
      verdict = await this.#auth.diagnoseHandshakeFailure(token)
    }
    catch {
      verdict = 'outage'
    }
    if (gen !== this.#generation || !this.#wanted) return
    if (verdict === 'unauthorized') {
      this.#handlers.error(new ChatError('unauthorized', 'Session rejected: sign in again', { status: code }))
      this.stop('unauthorized')
      return
    }
    this.#handlers.error(new ChatError('handshake_failed', 'Handshake failed', { status: code }))
    if (verdict === 'refreshed' && !this.#lastWasRefresh) {
      this.#lastWasRefresh = true
      this.#failures += 1
      this.#handlers.status(this.#state)
      this.#connectIfAllowed(false)
      return
    }
    this.#lastWasRefresh = false
    this.#scheduleRetry()
  }

  #scheduleRetry(): void {
    if (!this.#wanted || this.#state === 'closed') return
    this.#failures += 1
    const { reconnect, scheduler, random } = this.#config
    if (this.#failures > reconnect.maxAttempts) {
      this.#gaveUp = true
      this.#failures = reconnect.maxAttempts
      this.#state = 'reconnecting'
      this.#handlers.error(new ChatError('max_attempts', 'Gave up reconnecting', {
        details: { maxAttempts: reconnect.maxAttempts },
      }))
      this.#handlers.status('reconnecting')
      return
    }
    const delay = computeBackoff(this.#failures - 1, reconnect, random)
    const gen = ++this.#generation
    this.#timer = this.#cancel(this.#timer)
    this.#setStatus('reconnecting')
    this.#timer = scheduler.setTimeout(() => {
      this.#timer = null
      if (gen === this.#generation) this.#connectIfAllowed(false)
    }, delay)
  }

  /** Abandon the current attempt: close the socket (reporting a drop when it was open), cancel timers. */
  #abandon(): void {
    this.#generation++
    const wasOpen = this.#opened && this.#socket !== null
    const socket = this.#socket
    this.#detach()
    this.#timer = this.#cancel(this.#timer)
    if (socket) {
      try {
        socket.close(1000)
      }
      catch {
        // closing a socket that is still connecting may throw in some implementations
      }
    }
    if (wasOpen) this.#handlers.dropped(1000)
  }

  #detach(): void {
    const socket = this.#socket
    this.#quietTimer = this.#cancel(this.#quietTimer)
    this.#socket = null
    this.#opened = false
    // ws throws on an 'error' event without a listener (closing a connecting socket emits one).
    if (socket) socket.onopen = socket.onmessage = socket.onclose = socket.onerror = noop
  }

  /** Cancel `timer` (if any); returns the cleared value. */
  #cancel(timer: unknown): null {
    if (timer !== null) this.#config.scheduler.clearTimeout(timer)
    return null
  }
}
