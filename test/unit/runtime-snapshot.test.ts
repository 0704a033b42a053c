import { describe, expect, it } from 'vitest'
import { createConversationCore } from '../../src/core/conversation/conversation'
import { resolveOptions } from '../../src/core/options'
import { OwnerLease } from '../../src/core/persistence/owner-lease'
import { createMemoryStorage } from '../../src/core/persistence/storage'

function core(notify: 'microtask' | 'timeout' = 'microtask') {
  const options = resolveOptions({ baseUrl: 'http://x.invalid', storage: createMemoryStorage(), maxMessageLength: 20 })
  const lease = new OwnerLease({ storage: options.storage, storageKey: 'vrc', scheduler: options.scheduler, ownerId: 'A', heartbeatMs: 60_000, locks: null })
  let n = 0
  const c = createConversationCore({
    peerId: '2',
    options,
    auth: { getAccessToken: async () => 'never-used', diagnoseHandshakeFailure: async () => 'outage' },
    lease,
    newId: () => `m${++n}`,
    notify,
  })
  c.setUser('1')
  return { c, lease, options }
}

describe('conversation snapshot and notifications (no socket: no WebSocket constructor in Node)', () => {
  it('keeps the same snapshot object until something changes', () => {
    const { c, lease } = core()
    const a = c.getSnapshot()
    expect(c.getSnapshot()).toBe(a)
    expect(c.send('').ok).toBe(false)
    expect(c.getSnapshot()).toBe(a)
    c.send('hi')
    const b = c.getSnapshot()
    expect(b).not.toBe(a)
    expect(Object.isFrozen(b)).toBe(true)
    expect(b.hasPending).toBe(true)
    expect(b.messages[0]).toMatchObject({ content: 'hi', status: 'queued', isMine: true })
    c.close()
    lease.release()
  })

  it.each(['microtask', 'timeout'] as const)('batches a burst of 100 changes into one notification (%s)', async (strategy) => {
    const { c, lease } = core(strategy)
    let calls = 0
    c.subscribe(() => calls++)
    for (let i = 0; i < 100; i++) c.send(`m${i}`)
    expect(calls).toBe(0)
    await new Promise(r => setTimeout(r, 0))
    await new Promise(r => setTimeout(r, 0))
    expect(calls).toBe(1)
    expect(c.getSnapshot().messages).toHaveLength(100)
    c.close()
    lease.release()
  })

  it('validates input without throwing', () => {
    const { c, lease } = core()
    expect(c.send(42 as unknown as string)).toMatchObject({ ok: false })
    const long = c.send('x'.repeat(21))
    expect(long.ok).toBe(false)
    expect(long.ok ? null : long.error.code).toBe('message_too_long')
    expect(long.message).toBeUndefined()
    expect(c.getSnapshot().messages).toEqual([])
    const keep = core()
    c.close()
    keep.c.close()
    lease.release()
    keep.lease.release()
  })

  it('persists the outbox under the documented key and restores it in a new conversation', () => {
    const { c, lease, options } = core()
    c.send('keep me')
    const raw = options.storage.getItem('vrc:outbox:1:2')
    expect(raw).toContain('keep me')
    c.close()
    const again = createConversationCore({
      peerId: '2',
      options,
      auth: { getAccessToken: async () => 't', diagnoseHandshakeFailure: async () => 'outage' },
      lease,
      newId: () => 'x',
    })
    again.setUser('1')
    expect(again.getSnapshot().messages.map(m => [m.content, m.status])).toEqual([['keep me', 'queued']])
    again.close()
    lease.release()
  })
})
