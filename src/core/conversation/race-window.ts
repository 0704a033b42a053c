/**
 * The join/history race window. The server joins the group before it reads the history, so a live
 * frame right after the replay may repeat the replay's tail. Queued sends wait until the window is
 * over (their echoes could otherwise be taken for such repeats), and frames the timeline holds back
 * as possible repeats are released when it closes.
 */
import type { Scheduler } from '../types'

/** What the window asks and tells its conversation. */
export interface RaceWindowHooks {
  /** Write the queued sends (the window that held them is over). */
  flush(): void
  /** When held-back frames must be released (`Timeline.gapDeadline()`), `null` when none are held. */
  deadline(): number | null
  /** Release held-back frames; `false` when the timeline still holds them (try again later). */
  settle(): boolean
}

/** The window's end, and the timers that wait for it. */
export interface RaceWindow {
  /** The socket opened, or a history frame arrived. */
  history(): void
  /** The replay ended: the race follows its last frame at once. */
  replayEnded(): void
  /** A live frame was taken for (part of) a repeat: the window lasts one more period. */
  repeat(): void
  /** Must queued sends still wait? Then `flush` is called once the window is over. */
  holds(): boolean
  /** The socket went away: nothing waits any more. */
  clear(): void
}

/** `ms`: how long after the replay's last frame (or the last repeat) a repeat may still come. */
export function createRaceWindow(scheduler: Scheduler, ms: number, hooks: RaceWindowHooks): RaceWindow {
  let until = 0
  let lastHistoryAt = 0
  let flushTimer: unknown = null
  let settleTimer: unknown = null

  const settleLater = (): void => {
    if (settleTimer !== null) scheduler.clearTimeout(settleTimer)
    settleTimer = null
    const deadline = hooks.deadline()
    if (deadline === null) return
    // Never longer than the window: after a clock step back, settle() ends it when this fires.
    settleTimer = scheduler.setTimeout(() => {
      settleTimer = null
      if (!hooks.settle()) settleLater()
    }, Math.min(ms, Math.max(0, deadline - scheduler.now())) + 1)
  }

  return {
    history() {
      lastHistoryAt = scheduler.now()
    },
    replayEnded() {
      until = lastHistoryAt + ms
    },
    repeat() {
      until = scheduler.now() + ms
      settleLater()
    },
    holds() {
      // The clock went back since the window began: wait one full window from now, never the step's length.
      if (until - scheduler.now() > ms) until = scheduler.now() + ms
      const wait = until - scheduler.now()
      if (wait <= 0) return false
      flushTimer ??= scheduler.setTimeout(() => {
        flushTimer = null
        hooks.flush()
      }, wait + 1)
      return true
    },
    clear() {
      if (flushTimer !== null) scheduler.clearTimeout(flushTimer)
      if (settleTimer !== null) scheduler.clearTimeout(settleTimer)
      flushTimer = settleTimer = null
    },
  }
}
