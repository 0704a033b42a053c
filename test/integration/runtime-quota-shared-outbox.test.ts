/**
 * The outbox key `vrc:outbox:{self}:{peer}` is shared by every tab of the user (entries carry their
 * owner): a save refused by the quota in one tab leaves the other tabs' persisted queued messages
 * in place, so a reload or close of those tabs loses nothing.
 */
import { describe, expect, it } from 'vitest'
import { clientFixture, logShape, makeClient, settled, until, USERS } from './helpers'
import { quotaStorage, twoOfflineTabs } from './quota-storage'

const { boot, track } = clientFixture()

describe('a refused outbox write in one tab', () => {
  it('does not delete the queued messages another tab of the same user persisted', async () => {
    const srv = await boot()
    const quota = quotaStorage()
    const { webStorage, tabA, tabB, a, b } = await twoOfflineTabs(srv, quota)

    b.send('persisted by B')
    const stored = quota.raw('vrc:outbox:1:2')
    expect(stored).toContain('persisted by B')

    // The quota is full: B's entry still fits, A's save (B's entry plus A's) does not.
    quota.state.limit = (stored ?? '').length + 10
    a.send('does not fit')
    expect(quota.raw('vrc:outbox:1:2')).toContain('persisted by B')

    // Both tabs close; the next page (quota freed) should deliver what B had persisted.
    tabA.destroy()
    tabB.destroy()
    quota.state.limit = Number.POSITIVE_INFINITY
    const next = track(makeClient(srv, { storage: webStorage() }))
    await next.auth.login(USERS.student.email, USERS.student.password)
    const n = next.conversation(2)
    await until(n, x => settled(x) && x.messages.length >= 1, 'B\'s message delivered by the next page', 5000)
    expect(logShape(await srv.log(1, 2))).toContainEqual(['1', 'persisted by B'])
  })
})
