/**
 * After one refused write, a tab still reads the shared outbox key as every tab sees it, so its next
 * successful save never writes a stale view over other tabs' queued messages.
 */
import { describe, expect, it } from 'vitest'
import { clientFixture, logShape, makeClient, settled, until, USERS } from './helpers'
import { quotaStorage, twoOfflineTabs } from './quota-storage'

const { boot, track } = clientFixture()

describe('a tab whose outbox write was once refused', () => {
  it('does not overwrite the queued messages another tab stored after that', async () => {
    const srv = await boot()
    const quota = quotaStorage()
    const { webStorage, tabA, tabB, a, b } = await twoOfflineTabs(srv, quota)

    // A moment of full quota: A's first queued message stays in A's memory.
    quota.state.limit = 20
    a.send('a1')
    quota.state.limit = Number.POSITIVE_INFINITY

    // Room again: B queues a message, and it is stored.
    b.send('b1')
    expect(quota.raw('vrc:outbox:1:2')).toContain('b1')

    // A queues another message: its save must keep B's entry.
    a.send('a2')
    expect(quota.raw('vrc:outbox:1:2')).toContain('a2')
    expect(quota.raw('vrc:outbox:1:2')).toContain('b1')

    // Both tabs close; the next page delivers all three.
    tabA.destroy()
    tabB.destroy()
    const next = track(makeClient(srv, { storage: webStorage() }))
    await next.auth.login(USERS.student.email, USERS.student.password)
    const n = next.conversation(2)
    await until(n, x => settled(x) && x.messages.length === 3, 'every queued message delivered by the next page', 5000)
    expect(logShape(await srv.log(1, 2)).map(([, t]) => t).sort()).toEqual(['a1', 'a2', 'b1'])
  })
})
