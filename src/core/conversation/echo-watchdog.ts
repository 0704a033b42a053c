/**
 * The echo watchdog: an own send written to the socket waits for its echo, the only sign the server
 * stored it. One timer, for the oldest send still pending; past `echoTimeoutMs` the socket is suspect
 * (echo off, echo swallowed, half-open TCP) and the conversation drops it to let a replay decide.
 */
import type { Scheduler } from '../types'

/** What the watchdog asks and tells its conversation. */
export interface EchoWatchdogHooks {
  /** Is own send `id` still waiting for its echo? */
  pending(id: string): boolean
  /** `id` got no echo although the socket stayed open for the whole window: an ignored write. */
  ignored(id: string): void
  /** The socket is suspect; `stuck` counts the trips in a row on the same send before this one. */
  suspect(stuck: number): void
}

/** Sends in flight on the current socket and the timer over them. */
export interface EchoWatchdog {
  /** These sends were just written. */
  written(ids: readonly string[]): void
  /**
   * The send the server failed on when it closed with 1011: it handles frames in order, so the
   * oldest send still pending; the ones after it never got read.
   */
  culprit(): string | undefined
  /** Drop the sends confirmed meanwhile and time the oldest one left. */
  arm(): void
  /** Forget every send (the socket went away) and stop the timer. */
  clear(): void
}

/** `ms`: the echo window; `0` only keeps the list (for `culprit()`). */
export function createEchoWatchdog(scheduler: Scheduler, ms: number, hooks: EchoWatchdogHooks): EchoWatchdog {
  /** Write time of each own send that may still be pending on this socket, oldest first. */
  const inFlight = new Map<string, number>()
  let timer: unknown = null
  /** The send that tripped the watchdog last, and how many times in a row since its first trip. */
  let stuckId = ''
  let stuck = 0

  const arm = (): void => {
    if (timer !== null) scheduler.clearTimeout(timer)
    timer = null
    for (const [id, at] of inFlight) {
      const now = scheduler.now()
      if (!hooks.pending(id)) {
        inFlight.delete(id)
      }
      else if (!ms) {
        return
      }
      else if (at + ms > now) {
        // Written "in the future": the clock went back. The window restarts now instead of lasting the step.
        if (at > now) inFlight.set(id, now)
        timer = scheduler.setTimeout(arm, Math.min(ms, at + ms - now))
        return
      }
      else {
        // The socket stayed open for the whole window: the server had the frame and did not answer,
        // an attempt (a socket that closed first, a network drop, costs none; 1011 does).
        for (const [pending, at] of inFlight) {
          if (at + ms <= now) hooks.ignored(pending)
        }
        stuck = id === stuckId ? stuck + 1 : 0
        stuckId = id
        hooks.suspect(stuck)
        return
      }
    }
  }

  return {
    written(ids) {
      for (const id of ids) inFlight.set(id, scheduler.now())
      arm()
    },
    culprit: () => [...inFlight.keys()].find(id => hooks.pending(id)),
    arm,
    clear() {
      inFlight.clear()
      arm()
    },
  }
}
