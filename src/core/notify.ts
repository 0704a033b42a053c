/**
 * When a conversation tells its subscribers about a change: coalesces many changes into one call.
 */
import type { Scheduler } from './types'

/**
 * `'timeout'`: the first change after a quiet spell is notified on the next 0 ms timer; while
 * changes keep coming, at most one notification per interval, the interval doubling from
 * {@link NOTIFY_MIN_MS} up to {@link NOTIFY_MAX_MS} for as long as the burst lasts.
 * `'microtask'`: one notification per microtask checkpoint (in a browser, one per WebSocket message).
 */
export type NotifyStrategy = 'microtask' | 'timeout'

/** First throttle interval of a burst (about one frame at 60 Hz). */
export const NOTIFY_MIN_MS = 16
/** Longest throttle interval: the most a change waits during a long burst. */
export const NOTIFY_MAX_MS = 100

/**
 * Returns `request()`: call it on every change; `flush` then runs once for all the changes
 * requested before it, never synchronously, and always after the last request.
 * `request.cancel()` drops a pending flush.
 */
export function createNotifier(flush: () => void, strategy: NotifyStrategy, scheduler: Scheduler): { (): void; cancel(): void } {
  let timer: unknown = null
  let queued = false
  let last = Number.NEGATIVE_INFINITY
  let gap = NOTIFY_MIN_MS
  const request = (): void => {
    if (queued) return
    queued = true
    if (strategy === 'microtask') {
      queueMicrotask(() => {
        queued = false
        flush()
      })
      return
    }
    const wait = last + gap - scheduler.now()
    // A whole interval without a notification: a new burst, notified at once.
    if (wait <= 0) gap = NOTIFY_MIN_MS
    timer = scheduler.setTimeout(() => {
      timer = null
      queued = false
      last = scheduler.now()
      if (wait > 0) gap = Math.min(gap * 2, NOTIFY_MAX_MS)
      flush()
    }, Math.max(0, wait))
  }
  request.cancel = (): void => {
    if (timer !== null) scheduler.clearTimeout(timer)
    timer = null
  }
  return request
}
