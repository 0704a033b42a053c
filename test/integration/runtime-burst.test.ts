import { expect, it } from 'vitest'
import type { ChatClient } from '../../src/core/types'
import { live, loggedIn, startServer, until } from './helpers'

it.each(['microtask', 'timeout'] as const)('a burst of 200 peer messages reaches subscribers in few notifications (%s)', async (notify) => {
  const server = await startServer()
  const clients: ChatClient[] = []
  try {
    const parent = await loggedIn(server, 'parent')
    const student = await loggedIn(server, 'student', { notify })
    clients.push(parent, student)
    const p = parent.conversation(1)
    const s = student.conversation(2)
    await Promise.all([until(p, live), until(s, live)])
    let calls = 0
    s.subscribe(() => calls++)
    for (let i = 0; i < 200; i++) p.send(`burst ${i}`)
    await until(s, x => x.messages.length === 200, '200 received')
    process.stdout.write(`notify=${notify}: 200 live frames -> ${calls} notifications\n`)
    expect(calls).toBeGreaterThan(0)
    expect(calls).toBeLessThanOrEqual(200)
  }
  finally {
    for (const c of clients) c.destroy()
    await server.close()
  }
})

it('a long history replay arms a handful of timers, not one per frame', async () => {
  const server = await startServer()
  const clients: ChatClient[] = []
  try {
    const parent = await loggedIn(server, 'parent')
    clients.push(parent)
    const p = parent.conversation(1)
    await until(p, live)
    for (let i = 0; i < 400; i++) p.send(`history ${i}`)
    await until(p, x => !x.hasPending && x.messages.length === 400, '400 stored')

    let timers = 0
    const scheduler = {
      now: () => Date.now(),
      setTimeout: (fn: () => void, ms: number) => {
        timers++
        return setTimeout(fn, ms)
      },
      clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    }
    const student = await loggedIn(server, 'student', { scheduler })
    clients.push(student)
    const s = student.conversation(2)
    const before = timers
    await until(s, x => x.status === 'live' && x.messages.length === 400, 'replayed')
    // open → live: the quiet timer once (plus its wait for the rest), heartbeat/notify timers; before
    // the fix every one of the 400 frames re-armed it
    expect(timers - before).toBeLessThan(40)
  }
  finally {
    for (const c of clients) c.destroy()
    await server.close()
  }
})
