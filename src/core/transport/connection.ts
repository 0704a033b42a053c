/**
 * One WebSocket per conversation: connect with a fresh token, reconnect with full-jitter backoff,
 * react to online/visibility signals and tell an auth failure from an outage. Every change of phase
 * goes through one function (`go`) with its reason; the end of the history replay is `ReplayEnd`'s
 * to detect. Knows nothing about messages: frames go to the handlers.
 */
import { computeBackoff } from './backoff'
import { ChatError, isChatError } from '../errors'
import { decodeInbound, type HistoryFrame, type LiveFrame, type ReadFrame, type TypingFrame } from './protocol'
import type { ResolvedOptions } from '../options'
import { connectionStatus } from './phase'
import { createReplayEnd, type ReplayStats } from './replay-end'
import type { ConnectionPhase, ConnectionStatus, ConnectionTransition, TransitionReason, UserId, WebSocketConstructor, WebSocketLike } from '../types'
import { chatSocketUrl } from './urls'

/** What the connection needs from auth. */
export interface ConnectionAuth {
  getAccessToken(): Promise<string>
  diagnoseHandshakeFailure(tokenUsed: string): Promise<'outage' | 'refreshed' | 'unauthorized'>
}

/** Callbacks from the connection to its conversation, in protocol order. */
export interface ConnectionHandlers {
  /** The socket opened: a history replay starts. Returns how long to wait for its first frame (see `ReplayEnd.begin`). */
  open(): number
  /** History came after an empty replay ended, before anything else happened: that replay runs again. */
  resume(): void
  /** One frame of the replay. */
  history(frame: HistoryFrame): void
  /** The replay ended; the phase is already `live`, the transition not yet announced. */
  replayEnd(stats: ReplayStats): void
  /** May the replay received so far be the whole history? (see `Timeline.replayState()`) */
  replayState(): 'complete' | 'short' | 'unproven'
  /** A live frame after the replay. */
  frame(frame: LiveFrame | TypingFrame | ReadFrame): void
  /** An open socket went away (anything written and not echoed is now uncertain); its close code, 1000 when we closed it. */
  dropped(code: number): void
  /** The phase (or with it the attempt count) changed. */
  transition(transition: ConnectionTransition): void
  error(error: ChatError): void
}

/** The options a connection reads (immutable). */
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
 * A live socket must last this long, or `reconnect.maxDelayMs` when shorter, before its drop starts
 * the backoff over: a server that fails each socket soon after the replay gets growing delays.
 */
export const STABLE_LIVE_MS = 10_000

/** One socket to `{wsUrl}/ws/chat/{peerId}/`, with its state machine. */
export interface Connection {
  /** The status an app sees, derived from the phase. */
  readonly status: ConnectionStatus
  /** Consecutive failed attempts since the conversation was last live (for a while: see `STABLE_LIVE_MS`). */
  readonly attempt: number
  /** A socket exists and the replay is over. */
  readonly live: boolean
  /** Begin (or keep) connecting. Without a WebSocket constructor the phase stays `idle`. */
  start(): void
  /** Stop: close the socket, cancel timers and settle in `to`. */
  stop(to: 'idle' | 'unauthorized' | 'closed', reason?: TransitionReason): void
  /**
   * Drop the socket and connect again at once, with the backoff reset; or, for a socket that failed
   * `failures` times in a row (the same send stuck again), after that many failures' backoff.
   */
  reconnect(failures?: number, reason?: TransitionReason): void
  /** Write one frame if the socket is open and the replay is over. */
  send(data: string): boolean
}

/** The connection of the conversation with `peerId`. */
export function createConnection(peerId: UserId, config: ConnectionConfig, auth: ConnectionAuth, handlers: ConnectionHandlers): Connection {
  const { scheduler, signals, reconnect: backoff, pauseWhenHidden } = config
  let phase: ConnectionPhase = 'idle'
  let socket: WebSocketLike | null = null
  let opened = false
  /** Bumped whenever the current attempt is abandoned: late callbacks of older attempts are ignored. */
  let generation = 0
  /** The backoff timer (phase `backoff`). */
  let timer: unknown = null
  let wanted = false
  let lastWasRefresh = false
  let failures = 0
  /** Failures before the socket went live (restored when it drops too soon), and since when it is live. */
  let failuresBeforeLive = 0
  let liveSince = 0

  /**
   * The one place the phase changes. `during` runs once it changed and before the transition is
   * announced (a replay's end is handled before anyone hears of `live`).
   */
  const go = (to: ConnectionPhase, reason: TransitionReason, during?: () => void): void => {
    const from = phase
    phase = to
    during?.()
    handlers.transition({ from, to, reason, at: scheduler.now() })
  }

  const cancelTimer = (): void => {
    if (timer !== null) scheduler.clearTimeout(timer)
    timer = null
  }

  const detach = (): void => {
    const s = socket
    replay.cancel()
    socket = null
    opened = false
    // ws throws on an 'error' event without a listener (closing a connecting socket emits one).
    if (s) s.onopen = s.onmessage = s.onclose = s.onerror = noop
  }

  /** Abandon the current attempt: close the socket (reporting a drop when it was open), cancel timers. */
  const abandon = (): void => {
    generation++
    const s = socket
    const wasOpen = opened && s !== null
    detach()
    cancelTimer()
    try {
      s?.close(1000)
    }
    catch {
      // closing a socket that is still connecting may throw in some implementations
    }
    if (wasOpen) handlers.dropped(1000)
  }

  const scheduleRetry = (reason: TransitionReason): void => {
    if (!wanted || phase === 'closed') return
    failures += 1
    if (failures > backoff.maxAttempts) {
      failures = backoff.maxAttempts
      handlers.error(new ChatError('max_attempts', 'Gave up reconnecting', { details: { maxAttempts: backoff.maxAttempts } }))
      go('gave_up', 'max_attempts')
      return
    }
    const delay = computeBackoff(failures - 1, backoff, config.random)
    const gen = ++generation
    cancelTimer()
    go('backoff', reason)
    timer = scheduler.setTimeout(() => {
      timer = null
      if (gen === generation) connectIfAllowed(false, 'retry')
    }, delay)
  }

  /** Drop the current socket and try again after a backoff. */
  const retry = (reason: TransitionReason): void => {
    abandon()
    scheduleRetry(reason)
  }

  const replay = createReplayEnd(config, {
    state: () => handlers.replayState(),
    end(reason, stats: ReplayStats) {
      failuresBeforeLive = failures
      failures = 0
      liveSince = scheduler.now()
      go('live', reason, () => handlers.replayEnd(stats))
    },
    stalled: () => retry('stalled'),
  })

  const stop = (to: 'idle' | 'unauthorized' | 'closed', reason: TransitionReason = 'stop'): void => {
    if (phase === 'closed') return
    wanted = false
    abandon()
    failures = 0
    go(to, reason)
    if (to === 'closed') unsubscribeSignals()
  }

  const connectIfAllowed = (first: boolean, reason: TransitionReason): void => {
    if (!wanted || phase === 'closed') return
    if (!config.WebSocket || !config.wsUrl) {
      if (phase !== 'idle') go('idle', 'no_websocket')
    }
    else if (!signals.isOnline()) {
      go('offline', 'offline')
    }
    else if (pauseWhenHidden && !signals.isVisible()) {
      go('paused', 'hidden')
    }
    else {
      void connect(first, reason)
    }
  }

  const connect = async (first: boolean, reason: TransitionReason): Promise<void> => {
    const gen = ++generation
    cancelTimer()
    go(first && failures === 0 ? 'connecting' : 'reconnecting', reason)
    let token: string
    try {
      token = await auth.getAccessToken()
    }
    catch (error) {
      if (gen !== generation) return
      const err = isChatError(error) ? error : new ChatError('network', 'No access token', { cause: error })
      const code = err.code
      if (code === 'not_authenticated') {
        stop('idle', code)
        return
      }
      handlers.error(err)
      if (code === 'unauthorized' || code === 'refresh_failed') stop('unauthorized', code)
      else scheduleRetry(code)
      return
    }
    if (gen !== generation || !wanted) return
    // connectIfAllowed checked the constructor (config is immutable); a throw lands in the catch anyway.
    const Ctor = config.WebSocket as WebSocketConstructor
    let s: WebSocketLike
    try {
      s = new Ctor(chatSocketUrl(config.wsUrl, peerId, token))
    }
    catch (error) {
      handlers.error(new ChatError('network', 'WebSocket not created', { cause: error instanceof Error ? error.name : undefined }))
      scheduleRetry('network')
      return
    }
    socket = s
    opened = false
    s.onopen = () => {
      if (gen !== generation) return
      opened = true
      lastWasRefresh = false
      go('syncing', 'open')
      replay.begin(handlers.open())
    }
    s.onmessage = (ev) => {
      if (gen === generation) onMessage(gen, ev.data)
    }
    s.onerror = noop
    s.onclose = (ev) => {
      if (gen === generation) onClose(token, ev.code)
    }
  }

  const onMessage = (gen: number, data: unknown): void => {
    const frame = decodeInbound(data, config.extensions, config.maxFrameLength)
    if (frame instanceof ChatError) {
      handlers.error(frame)
      return
    }
    if (frame.kind === 'history') {
      if (phase !== 'syncing') {
        if (!replay.late()) {
          // The replay was ended too early and the timeline may lack messages.
          config.logger?.debug?.('late history: resync')
          retry('resync')
          return
        }
        go('syncing', 'late_history', () => handlers.resume())
      }
      const cutOff = replay.frame()
      if (cutOff) {
        // A replay that never goes quiet: the attempt count keeps growing until a replay ends, so
        // `reconnect.maxAttempts` still applies.
        handlers.error(new ChatError('replay_too_long', 'The history replay did not end: reconnecting', { details: cutOff }))
        retry('replay_too_long')
      }
      else {
        handlers.history(frame)
      }
      return
    }
    replay.live()
    if (gen === generation) handlers.frame(frame)
  }

  const onClose = (token: string, code: number): void => {
    const wasOpen = opened
    if (phase === 'live' && scheduler.now() - liveSince < Math.min(STABLE_LIVE_MS, backoff.maxDelayMs)) {
      failures = failuresBeforeLive
    }
    detach()
    if (wasOpen) handlers.dropped(code)
    if (!wanted) return
    if (!wasOpen || code === 4401) {
      void handshakeFailed(token, code)
      return
    }
    if (code === 1011) {
      handlers.error(new ChatError('server_error', 'Server closed the socket (1011)', { status: code }))
    }
    scheduleRetry(code === 1011 ? 'server_error' : 'dropped')
  }

  const handshakeFailed = async (token: string, code: number): Promise<void> => {
    const gen = ++generation
    go('diagnosing', 'handshake_failed')
    let verdict: 'outage' | 'refreshed' | 'unauthorized'
    try {
      verdict = await auth.diagnoseHandshakeFailure(token)
    }
    catch {
      verdict = 'outage'
    }
    if (gen !== generation || !wanted) return
    if (verdict === 'unauthorized') {
      handlers.error(new ChatError(verdict, 'Session rejected: sign in again', { status: code }))
      stop(verdict, verdict)
      return
    }
    handlers.error(new ChatError('handshake_failed', 'Handshake failed', { status: code }))
    if (verdict === 'refreshed' && !lastWasRefresh) {
      lastWasRefresh = true
      failures += 1
      connectIfAllowed(false, verdict)
      return
    }
    lastWasRefresh = false
    scheduleRetry(verdict)
  }

  const unsubscribeSignals = signals.subscribe(() => {
    if (!wanted || phase === 'closed' || phase === 'unauthorized') return
    const online = signals.isOnline()
    if (!online || (pauseWhenHidden && !signals.isVisible())) {
      const to = online ? 'paused' : 'offline'
      if (phase !== to) {
        abandon()
        go(to, online ? 'hidden' : 'offline')
      }
    }
    else if (phase === 'offline' || phase === 'paused' || phase === 'gave_up' || (phase === 'backoff' && signals.isVisible())) {
      const was = phase
      failures = 0
      abandon()
      connectIfAllowed(true, was === 'offline' ? 'online' : 'visible')
    }
  })

  return {
    get status() {
      return connectionStatus(phase)
    },
    get attempt() {
      return failures
    },
    get live() {
      return phase === 'live' && socket?.readyState === OPEN
    },
    start() {
      if (phase === 'closed') return
      wanted = true
      if (phase !== 'idle' && phase !== 'paused' && phase !== 'unauthorized' && phase !== 'offline') return
      failures = 0
      connectIfAllowed(true, 'start')
    },
    stop,
    reconnect(stuck = 0, reason = 'reconnect') {
      if (phase === 'closed') return
      wanted = true
      failures = stuck && stuck - 1
      lastWasRefresh = false
      abandon()
      if (stuck) scheduleRetry(reason)
      else connectIfAllowed(true, reason)
    },
    send(data) {
      if (phase !== 'live' || socket?.readyState !== OPEN) return false
      replay.live()
      try {
        socket.send(data)
        return true
      }
      catch {
        return false
      }
    },
  }
}
