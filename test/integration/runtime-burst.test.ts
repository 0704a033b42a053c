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
