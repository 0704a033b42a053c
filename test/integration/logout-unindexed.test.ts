/**
 * Logout finds the user's stored conversation data through the per-user peers index, which is written
 * whenever something of a conversation is stored: also when the browser refused storage access while the
 * conversation was opened and allowed it by the time a send was saved.
 */
import { describe, expect, it } from 'vitest'
import { createMemoryStorage, createWebStorage } from '../../src/core/persistence/storage'
import { QuotaStorage } from '../support/fault-storage'
import { clientFixture, createManualSignals, live, makeClient, until } from './helpers'

const { boot, track } = clientFixture()

describe('logout after storage came back', () => {
  it('removes an outbox written after the conversation was opened under a storage that refused access', async () => {
    const srv = await boot()
    const backing = new QuotaStorage()
    const storage = createWebStorage('local', { window: { localStorage: backing } })
    const signals = createManualSignals()
    const client = track(makeClient(srv, { storage, tokenStorage: createMemoryStorage(), signals }))
    client.auth.setTokens(srv.issueTokens(1))
    backing.set('broken')
    const conv = client.conversation(2)
    await until(conv, live)
    backing.set('ok')
    signals.setOnline(false)
    expect(conv.send('private draft').ok).toBe(true)
    expect(backing.peek('vrc:outbox:1:2')).toContain('private draft')

    await client.auth.logout()
    expect(client.auth.getState().status).toBe('anonymous')
    expect(backing.peek('vrc:outbox:1:2')).toBeNull()
  })
})
