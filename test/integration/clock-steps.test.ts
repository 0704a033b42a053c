/**
 * Wall-clock steps (NTP, the user changing the time, a VM resumed): the core's timers run on
 * monotonic time, `now()` jumps. Neither direction may double a send or hold one back.
 */
import { describe, expect, it } from 'vitest'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import { clientFixture, createManualSignals, loggedIn, settled, steppedClock, until } from './helpers'

const { boot, track } = clientFixture()


describe('wall-clock steps', () => {
  it('a send after the clock stepped back is written at once, not after the step', async () => {
    const srv = await boot()
    const clock = steppedClock()
    const student = track(await loggedIn(srv, 'student', { scheduler: clock }))
    const conv = student.conversation(2)
    await until(conv, settled)
    clock.offset -= 2 * 60_000
    conv.send('ok')
    await until(conv, s => settled(s) && s.messages.some(m => m.content === 'ok'), 'ok sent', 3000)
    expect((await srv.log(1, 2)).map(m => m.content)).toEqual(['ok'])
  })

  it('a send whose echo never comes trips the echo watchdog after echoTimeoutMs, also when the clock stepped back meanwhile', async () => {
    const srv = await boot({ echo: false })
    const clock = steppedClock()
    const student = track(await loggedIn(srv, 'student', { scheduler: clock, echoTimeoutMs: 300 }))
    const conv = student.conversation(2)
    await until(conv, settled)
    const result = conv.send('no echo')
    if (!result.ok) throw result.error
    await until(conv, s => s.messages.some(m => m.content === 'no echo' && m.status === 'pending'), 'pending')
    clock.offset -= 2 * 60_000
    await until(conv, s => settled(s) && s.messages.some(m => m.content === 'no echo' && m.status === 'sent'), 'sent after the watchdog\'s replay', 3000)
    expect((await srv.log(1, 2)).map(m => m.content)).toEqual(['no echo'])
  })

  it('a tab that opens after the clock stepped forward does not adopt a live tab\'s queued send', async () => {
    const srv = await boot()
    const clock = steppedClock()
    const storage = createMemoryStorage()
    const signals = createManualSignals()
    const heartbeatMs = 50
    const tabA = track(await loggedIn(srv, 'student', { storage, scheduler: clock, signals, heartbeatMs }))
    const convA = tabA.conversation(2)
    await until(convA, settled)
    signals.setOnline(false)
    await until(convA, s => s.status !== 'live', 'tab A offline')
    convA.send('ok')
    clock.offset += 2 * 60_000
    const tabB = track(await loggedIn(srv, 'student', { storage, scheduler: clock, heartbeatMs }))
    const convB = tabB.conversation(2)
    await until(convB, settled)
    signals.setOnline(true)
    await until(convA, s => settled(s) && s.messages.some(m => m.content === 'ok' && m.status === 'sent'), 'ok sent by tab A', 3000)
    await until(convB, s => s.messages.some(m => m.content === 'ok'), 'ok seen by tab B', 3000)
    expect((await srv.log(1, 2)).map(m => m.content)).toEqual(['ok'])
  })
})
