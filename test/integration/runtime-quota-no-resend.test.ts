/**
 * A tab whose outbox save was refused while it held another tab's queued message never writes that
 * message back once the other tab delivered it, so it is never adopted and sent a second time.
 */
import { describe, expect, it } from 'vitest'
import { clientFixture, logShape, settled, until } from './helpers'
import { quotaStorage, twoOfflineTabs } from './quota-storage'

const { boot, track } = clientFixture()

describe('a delivered message of another tab, left in a refused write\'s memory copy', () => {
  it('is never sent a second time', async () => {
    const srv = await boot()
    const quota = quotaStorage()
    const { signalsA, signalsB, tabA, tabB, a, b } = await twoOfflineTabs(srv, quota)
    track(tabA)

    b.send('b1')
    // The quota is nearly full: B's entry fits, A's save (B's entry plus A's) does not.
    quota.state.limit = (quota.raw('vrc:outbox:1:2') ?? '').length + 20
    a.send('a1')

    // B comes back and delivers b1 (and clears it from storage); then A delivers a1.
    signalsB.setOnline(true)
    await until(b, x => settled(x) && x.messages.length === 1, 'B delivered b1')
    signalsA.setOnline(true)
    await until(a, x => settled(x) && x.messages.some(m => m.content === 'a1' && m.status === 'sent'), 'A delivered a1')
    expect(quota.raw('vrc:outbox:1:2') ?? '').not.toContain('b1')

    // B's tab closes; A's next replay adopts whatever dead owners left.
    tabB.destroy()
    a.reconnect()
    await until(a, x => x.status === 'syncing', 'A resyncing')
    await until(a, settled, 'A settled after the replay')
    expect(logShape(await srv.log(1, 2))).toEqual([['1', 'b1'], ['1', 'a1']])
  })
})
