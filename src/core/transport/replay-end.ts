/**
 * When is a history replay over? The protocol has no end marker: the replay ends at the first live
 * frame, or once no frame came for a quiet period, but only when the frames so far can be the whole
 * history. Also bounds a replay that never goes quiet, and tells whether history arriving after an
 * end continues that replay. Pure logic on an injected scheduler; the connection acts on the verdicts.
 */
import type { Scheduler } from '../types'

/**
 * The longest wait for the first frame: while own sends await proof (nothing bounds the replay), and
 * the cap of the adaptive wait for a conversation that may have history.
 */
export const REPLAY_FIRST_FRAME_MS = 2000
/** A replay shorter than the last one stalled this long since its last frame → reconnect with backoff. */
export const REPLAY_STALL_MS = 3000
/** This many short replays in a row are accepted: the server really lost messages. */
export const MAX_SHORT_REPLAYS = 3

/** How the end was detected (see `TransitionReason`). */
export type ReplayEndReason = 'live_frame' | 'quiet' | 'no_history' | 'short_accepted'

/** What one replay took, for the `replay` event and the first-frame estimate. */
export interface ReplayStats {
  readonly frames: number
  readonly durationMs: number
  readonly firstFrameMs: number | null
}

/** The options end-of-replay detection reads. */
export interface ReplayEndConfig {
  readonly scheduler: Scheduler
  readonly replayQuietMs: number
  readonly maxReplayFrames: number
  readonly maxReplayMs: number
}

/** What end-of-replay detection asks and tells its connection. */
export interface ReplayEndHooks {
  /** May the frames so far be the whole history? (`Timeline.replayState()`) */
  state(): 'complete' | 'short' | 'unproven'
  /** The replay is over. */
  end(reason: ReplayEndReason, stats: ReplayStats): void
  /** A replay shorter than the last one went silent: drop the socket and replay again. */
  stalled(): void
}

/** End-of-replay detection for one connection, one replay at a time. */
export interface ReplayEnd {
  /**
   * A socket opened: its replay starts. With no frame at all it is over after `firstFrameMs`
   * (at least the quiet period), or `REPLAY_FIRST_FRAME_MS` while `state()` says `unproven`.
   */
  begin(firstFrameMs: number): void
  /**
   * One history frame of the running replay. `null` when it is within the bounds; else the replay is
   * cut off (never ended: nothing may be sent into it) and this returns the details for the report.
   * Each cut-off in a row doubles the bounds, so a finite but slow replay ends after a few downloads.
   */
  frame(): Record<string, number> | null
  /**
   * Live traffic, a frame in or a write out: it ends a running replay, and after the end later
   * history can no longer continue it (a replay read after it may not be the one that ended).
   */
  live(): void
  /**
   * A history frame after the end. `true`: the replay ended with no frame and nothing happened on the
   * socket since, so the server was only slow and this is its replay, running again (pass the frame to
   * `frame()`). `false`: the end came too early; the next replay must hold more frames than this one.
   */
  late(): boolean
  /** The socket went away: no end, no stall. */
  cancel(): void
}

/** End-of-replay detection on `config.scheduler`, reporting to `hooks`. */
export function createReplayEnd(config: ReplayEndConfig, hooks: ReplayEndHooks): ReplayEnd {
  const { scheduler, maxReplayFrames, maxReplayMs } = config
  const base = config.replayQuietMs
  /**
   * The quiet period after a frame. One that proved too short (history came after a replay it ended)
   * doubles for this conversation's later replays, up to `REPLAY_STALL_MS`: a link that stalls that
   * long in the middle of a replay would otherwise cut every replay short and reconnect again and
   * again. Each quiet end no late history contradicted before the next replay began halves it back
   * towards `replayQuietMs` (live traffic proves nothing: our own writes follow every end). A replay
   * with no frame yet waits `base`.
   */
  let quiet = base
  /** The last replay ended on its quiet period and nothing has said whether that was right. */
  let unjudged = false
  const period = (): number => (frames ? quiet : base)
  let timer: unknown = null
  /** When `timer` fires (scheduler time). */
  let due = 0
  /** When the quiet period last restarted (the open or the last frame). */
  let armedAt = 0
  let openedAt = 0
  let firstAt: number | null = null
  let firstFrameWait = 0
  let frames = 0
  /** The least a replay must hold: a replay ended too early held one frame less. */
  let minFrames = 0
  /** Consecutive replays cut off by `REPLAY_STALL_MS` while short. */
  let short = 0
  /** Replays cut off in a row by `maxReplayFrames` / `maxReplayMs`; each one doubles both bounds. */
  let cutOffs = 0
  let running = false
  /** The last replay ended empty and nothing happened on its socket since: late history continues it. */
  let resumable = false

  const cancel = (): void => {
    running = false
    if (timer !== null) scheduler.clearTimeout(timer)
    timer = null
  }

  const end = (reason: ReplayEndReason, canResume = false): void => {
    cancel()
    short = minFrames = cutOffs = 0
    resumable = canResume
    unjudged = reason === 'quiet'
    hooks.end(reason, { frames, durationMs: scheduler.now() - openedAt, firstFrameMs: firstAt === null ? null : firstAt - openedAt })
  }

  /** A quiet period without frames: end the replay if it can be complete, else keep waiting up to a cap. */
  const onQuiet = (now: number): void => {
    const state = frames < minFrames ? 'short' : hooks.state()
    const left = armedAt - now + (state === 'short' ? REPLAY_STALL_MS : state === 'unproven' ? REPLAY_FIRST_FRAME_MS : frames ? 0 : firstFrameWait)
    if (left > 0) {
      wait(left)
    }
    else if (state === 'short' && ++short < MAX_SHORT_REPLAYS) {
      cancel()
      hooks.stalled()
    }
    else {
      // Only an empty replay of a timeline with nothing to prove can be taken back by late frames.
      end(state === 'short' ? 'short_accepted' : frames ? 'quiet' : 'no_history', state === 'complete' && !frames)
    }
  }

  const wait = (ms: number): void => {
    if (timer !== null) scheduler.clearTimeout(timer)
    due = scheduler.now() + ms
    timer = scheduler.setTimeout(() => {
      timer = null
      if (!running) return
      const now = scheduler.now()
      const q = period()
      let rest = armedAt + q - now
      // The wall clock went back since the last frame: count the quiet period from now.
      if (rest > q) {
        armedAt = now
        rest = q
      }
      if (rest > 0) wait(rest)
      else onQuiet(now)
    }, ms)
  }

  /**
   * The quiet period restarts. The timer is not re-armed per frame (a 100k-frame replay would cost
   * 100k clearTimeout/setTimeout pairs) but at most about twice per quiet period: when it is due
   * within half a period, or later than the new period ends (a stall wait). Re-arming from the frame
   * handler rather than from the timer keeps the timers from forming a chain, which browsers
   * throttle to once a minute in long-hidden tabs.
   */
  const arm = (now: number): void => {
    armedAt = now
    const q = period()
    if (timer === null || due - now > q || due - now < q / 2) wait(q)
  }

  /** The last quiet end was right: the quiet period comes back halfway to `replayQuietMs`. */
  const judged = (): void => {
    if (unjudged) quiet = Math.max(base, quiet / 2)
    unjudged = false
  }

  return {
    begin(ms) {
      judged()
      cancel()
      running = true
      resumable = false
      frames = 0
      firstAt = null
      firstFrameWait = ms
      arm(openedAt = scheduler.now())
    },
    frame() {
      const now = scheduler.now()
      const scale = 2 ** cutOffs
      const elapsedMs = now - openedAt
      if (++frames > maxReplayFrames * scale || elapsedMs > maxReplayMs * scale) {
        cutOffs++
        cancel()
        return { frames, elapsedMs, maxReplayFrames: maxReplayFrames * scale, maxReplayMs: maxReplayMs * scale }
      }
      firstAt ??= now
      arm(now)
      return null
    },
    live() {
      resumable = false
      if (running) end('live_frame')
    },
    late() {
      if (resumable) {
        resumable = false
        return running = true
      }
      minFrames = frames + 1
      if (unjudged) quiet = Math.min(quiet * 2, Math.max(quiet, REPLAY_STALL_MS))
      unjudged = false
      return false
    },
    cancel,
  }
}
