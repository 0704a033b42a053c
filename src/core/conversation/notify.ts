/**
 * When a conversation tells its subscribers about a change: coalesces many changes into one call.
 */
import type { Scheduler } from '../types'

/**
 * `'timeout'`: a change is notified on the next 0 ms timer; only a stream of incoming frames is
 * throttled: while it keeps coming, at most one notification per interval, the interval doubling
 * from {@link NOTIFY_MIN_MS} up to {@link NOTIFY_MAX_MS} for as long as the burst lasts.
 * `'microtask'`: one notification per microtask checkpoint (in a browser, one per WebSocket message).
 */
export type NotifyStrategy = 'microtask' | 'timeout'

/** First throttle interval of a burst (about one frame at 60 Hz). */
export const NOTIFY_MIN_MS = 16
/** Longest throttle interval: the most a change waits during a long burst. */
export const NOTIFY_MAX_MS = 100

/**
 * Request a flush: `true` (throttle) for changes that come in bursts (incoming frames); `'now'` at the
 * next microtask, for a change every subscriber must see before the next I/O event (a send written to
 * the socket is `pending` before its echo can arrive); else on the next 0 ms timer.
 */
export interface NotifyRequest {
  (mode?: boolean | 'now'): void
  /** Clear a pending timer (a queued microtask still runs: the owner checks whether it closed). */
  cancel(): void
}

/**
 * `flush` runs once for all the changes requested before it, never synchronously, and always
 * after the last request.
 */
export function createNotifier(flush: () => void, strategy: NotifyStrategy, scheduler: Scheduler): NotifyRequest {
  const micro = strategy === 'microtask'
  /** `timer` while a microtask is queued. */
  const queued = {}
  let timer: unknown = null
  /** The pending timer waits out the throttle interval (an unthrottled request brings it forward). */
  let delayed = false
  let last = -Infinity
  let gap = NOTIFY_MIN_MS
  const run = (): void => {
    timer = null
    last = scheduler.now()
    if (delayed) gap = Math.min(gap * 2, NOTIFY_MAX_MS)
    flush()
  }
  const request = (mode?: boolean | 'now'): void => {
    const throttle = mode === true
    if (timer === queued || (timer !== null && mode !== 'now' && (throttle || !delayed))) return
    request.cancel()
    if (micro || mode === 'now') {
      delayed = false
      timer = queued
      queueMicrotask(run)
      return
    }
    const wait = last + gap - scheduler.now()
    // A whole interval without a notification: a new burst, notified at once.
    if (wait <= 0) gap = NOTIFY_MIN_MS
    delayed = throttle && wait > 0
    // Never longer than one interval, even when the clock went back (`Date.now()` is wall time).
    timer = scheduler.setTimeout(run, delayed ? Math.min(wait, gap) : 0)
  }
  request.cancel = (): void => {
    if (timer !== null && timer !== queued) scheduler.clearTimeout(timer)
    timer = null
  }
  return request
}
