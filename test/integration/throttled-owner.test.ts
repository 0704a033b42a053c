/**
 * Without Web Locks (a page served over plain http, an older browser) an owner is alive only while
 * its heartbeat key changes. A background tab's timers get throttled, so a foreground tab may judge
 * it dead and adopt and send its queued message; the background tab then finds the message no longer
 * stored under its name and leaves it to the adopter: the server stores it once.
 */
import { describe, expect, it } from 'vitest'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import type { Scheduler } from '../../src/core/types'
import { clientFixture, createManualSignals, live, logShape, makeClient, settled, until, USERS } from './helpers'

const { boot, track } = clientFixture()

/** Real timers that can be held back (a hidden, throttled tab) and released later, late. */
function throttledScheduler(): Scheduler & { hide(): void; show(): void } {
  let hidden = false
  const deferred: Array<() => void> = []
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const box: { handle?: ReturnType<typeof setTimeout>; cancelled: boolean } = { cancelled: false }
      const arm = (): void => {
        box.handle = setTimeout(() => {
          if (box.cancelled) return
          if (hidden) deferred.push(arm)
          else fn()
        }, ms)
      }
      arm()
      return box
    },
    clearTimeout(handle) {
      const box = handle as { handle?: ReturnType<typeof setTimeout>; cancelled: boolean } | undefined
      if (!box) return
      box.cancelled = true
      clearTimeout(box.handle)
    },
    hide() {
      hidden = true
    },
    show() {
      hidden = false
      for (const arm of deferred.splice(0)) arm()
    },
  }
}

describe('a throttled background tab without Web Locks', () => {
  it('keeps its queued message to itself: the server stores it once', async () => {
    const srv = await boot()
    const storage = createMemoryStorage()
    const heartbeatMs = 40
    const scheduler = throttledScheduler()
    const signalsA = createManualSignals()
    const tabA = track(makeClient(srv, { storage, heartbeatMs, scheduler, signals: signalsA, locks: null }))
    await tabA.auth.login(USERS.student.email, USERS.student.password)
    const a = tabA.conversation(2)
    await until(a, live)
    signalsA.setOnline(false)
    expect(a.send('from the background tab').ok).toBe(true)
    scheduler.hide()

    const tabB = track(makeClient(srv, { storage, heartbeatMs, locks: null }))
    await tabB.auth.login(USERS.student.email, USERS.student.password)
    const b = tabB.conversation(2)
    await until(b, s => settled(s) && s.messages.length === 1, 'B adopted and sent A\'s message', 5000)

    scheduler.show()
    signalsA.setOnline(true)
    // A is done once everything it shows is stored (its own copy sent, or given up as B's).
    await until(a, s => settled(s) && s.messages.length >= 1 && s.messages.every(m => m.status === 'sent'), 'A back online with nothing unsent', 5000)
    expect(logShape(await srv.log(1, 2))).toEqual([['1', 'from the background tab']])
  })
})
