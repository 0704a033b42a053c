import { describe, expect, it } from 'vitest'
import { createNotifier, NOTIFY_MAX_MS, NOTIFY_MIN_MS } from '../../src/core/conversation/notify'
import type { Scheduler } from '../../src/core/types'

/** A manual clock: timers run only when `advance` passes their due time, in due order. */
function fakeScheduler() {
  let now = 0
  let seq = 0
  const timers = new Map<number, { at: number; fn: () => void }>()
  const scheduler: Scheduler = {
    now: () => now,
    setTimeout(fn, ms) {
      timers.set(++seq, { at: now + ms, fn })
      return seq
    },
    clearTimeout(handle) {
      timers.delete(handle as number)
    },
  }
  /** Move the clock to `to`, running every timer due by then (including timers they set). */
  const advanceTo = (to: number): void => {
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined
      for (const entry of timers) {
        if (entry[1].at <= to && (!next || entry[1].at < next[1].at)) next = entry
      }
      if (!next) break
      timers.delete(next[0])
      now = next[1].at
      next[1].fn()
    }
    now = to
  }
  return { scheduler, advanceTo, pending: () => timers.size, now: () => now }
}

/** A notifier whose flush records the time and how many changes it saw. */
function setup() {
  const clock = fakeScheduler()
  let changes = 0
  const flushes: Array<{ at: number; seen: number }> = []
  const request = createNotifier(() => flushes.push({ at: clock.now(), seen: changes }), 'timeout', clock.scheduler)
  /** An incoming frame: throttled. */
  const change = (): void => {
    changes++
    request(true)
  }
  return { clock, change, flushes, request, changes: () => changes }
}

/** `n` changes spread evenly over `[from, from + spanMs)`, timers running in between. */
function burst(s: ReturnType<typeof setup>, n: number, from: number, spanMs: number): void {
  for (let i = 0; i < n; i++) {
    s.clock.advanceTo(from + (i * spanMs) / n)
    s.change()
  }
}

describe('createNotifier (timeout strategy)', () => {
  it('notifies a lone change on the first 0 ms timer, never synchronously', () => {
    const s = setup()
    s.change()
    expect(s.flushes).toEqual([])
    s.clock.advanceTo(0)
    expect(s.flushes).toEqual([{ at: 0, seen: 1 }])
    expect(s.clock.pending()).toBe(0)
  })

  it("'now' notifies at the next microtask, before any timer (a send's pending step before its echo)", async () => {
    const s = setup()
    s.change()
    s.request('now')
    s.request('now')
    s.change()
    expect(s.flushes).toEqual([])
    await Promise.resolve()
    expect(s.flushes).toEqual([{ at: 0, seen: 2 }])
    // the earlier 0 ms timer was replaced, not kept for a second flush
    expect(s.clock.pending()).toBe(0)
    s.clock.advanceTo(1000)
    expect(s.flushes).toHaveLength(1)
  })

  it('coalesces changes made in one task into one notification', () => {
    const s = setup()
    for (let i = 0; i < 100; i++) s.change()
    s.clock.advanceTo(1000)
    expect(s.flushes).toEqual([{ at: 0, seen: 100 }])
  })

  it('turns 10k changes spread over 300 ms into a handful of notifications, the last one seeing every change', () => {
    const s = setup()
    burst(s, 10_000, 0, 300)
    s.clock.advanceTo(1000)
    // Leading edge at 0, then 16, 48, 112, 212, 312 (intervals 16, 32, 64, 100, 100).
    expect(s.flushes.length).toBeLessThanOrEqual(8)
    expect(s.flushes.length).toBeGreaterThanOrEqual(3)
    expect(s.flushes.at(-1)?.seen).toBe(10_000)
    expect(s.flushes.at(-1)!.at - 300).toBeLessThanOrEqual(NOTIFY_MAX_MS)
  })

  it('never lets two notifications of one burst come closer than 16 ms, nor further apart than 100 ms while it lasts', () => {
    const s = setup()
    burst(s, 5000, 0, 2000)
    s.clock.advanceTo(3000)
    const gaps = s.flushes.slice(1).map((f, i) => f.at - s.flushes[i]!.at)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(NOTIFY_MIN_MS)
    expect(Math.max(...gaps)).toBeLessThanOrEqual(NOTIFY_MAX_MS + 1)
    expect(s.flushes.length).toBeLessThanOrEqual(50) // 1% of 5000
    expect(s.flushes.at(-1)?.seen).toBe(5000)
  })

  it('after a burst and a quiet spell, a lone change is notified at once and the interval starts at 16 ms again', () => {
    const s = setup()
    burst(s, 1000, 0, 500)
    s.clock.advanceTo(2000)
    const before = s.flushes.length
    s.change()
    s.clock.advanceTo(2005)
    s.change()
    s.clock.advanceTo(3000)
    expect(s.flushes.slice(before)).toEqual([{ at: 2000, seen: 1001 }, { at: 2000 + NOTIFY_MIN_MS, seen: 1002 }])
  })

  it('changes spaced wider than the interval are each notified on a 0 ms timer (no added latency)', () => {
    const s = setup()
    for (let i = 0; i < 20; i++) {
      s.clock.advanceTo(i * 20)
      s.change()
      s.clock.advanceTo(i * 20)
    }
    expect(s.flushes.map(f => f.at)).toEqual(Array.from({ length: 20 }, (_, i) => i * 20))
  })

  it('an unthrottled change (a send, a status) during a throttled wait is notified on the next 0 ms timer', () => {
    const s = setup()
    s.change()
    s.clock.advanceTo(0)
    s.clock.advanceTo(2)
    s.change()
    s.request()
    s.clock.advanceTo(2)
    expect(s.flushes).toEqual([{ at: 0, seen: 1 }, { at: 2, seen: 2 }])
    // It did not lengthen the interval: the next frame waits 16 ms from the last notification.
    s.change()
    s.clock.advanceTo(100)
    expect(s.flushes.at(-1)).toEqual({ at: 2 + NOTIFY_MIN_MS, seen: 3 })
  })

  it('unthrottled changes are each notified on a 0 ms timer even when close together', () => {
    const s = setup()
    for (let i = 0; i < 5; i++) {
      s.clock.advanceTo(i)
      s.request()
      s.clock.advanceTo(i)
    }
    expect(s.flushes.map(f => f.at)).toEqual([0, 1, 2, 3, 4])
  })

  it('waits at most one interval when the wall clock goes back', () => {
    let now = 1_000_000
    const timers: Array<{ fn: () => void; ms: number }> = []
    const scheduler: Scheduler = {
      now: () => now,
      setTimeout: (fn, ms) => timers.push({ fn, ms }),
      clearTimeout: () => {},
    }
    let calls = 0
    const request = createNotifier(() => calls++, 'timeout', scheduler)
    request(true)
    timers.shift()!.fn()
    now -= 3_600_000
    request(true)
    expect(timers[0]!.ms).toBeLessThanOrEqual(NOTIFY_MIN_MS)
    timers.shift()!.fn()
    expect(calls).toBe(2)
  })

  it('cancel() clears the pending timer', () => {
    const s = setup()
    s.change()
    s.request.cancel()
    expect(s.clock.pending()).toBe(0)
    s.clock.advanceTo(1000)
    expect(s.flushes).toEqual([])
  })
})

describe('createNotifier (microtask strategy)', () => {
  it('flushes once per microtask checkpoint and uses no timer', async () => {
    const clock = fakeScheduler()
    let calls = 0
    const request = createNotifier(() => calls++, 'microtask', clock.scheduler)
    request()
    request()
    expect(calls).toBe(0)
    await Promise.resolve()
    expect(calls).toBe(1)
    request()
    await Promise.resolve()
    expect(calls).toBe(2)
    expect(clock.pending()).toBe(0)
  })
})
