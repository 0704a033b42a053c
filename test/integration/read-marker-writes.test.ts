/**
 * `markRead()` is what an app calls whenever the chat is on screen, often on every snapshot change:
 * it writes the read marker only when the marker moved.
 */
import { describe, expect, it } from 'vitest'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import type { StorageAdapter } from '../../src/core/types'
import { clientFixture, live, loggedIn, until } from './helpers'

const { boot, track } = clientFixture()

describe('markRead with nothing new', () => {
  it('writes the read marker only when it moves', async () => {
    const srv = await boot()
    const inner = createMemoryStorage()
    let markerWrites = 0
    const storage: StorageAdapter = {
      getItem: key => inner.getItem(key),
      setItem: (key, value) => {
        if (key === 'vrc:read:1:2') markerWrites++
        inner.setItem(key, value)
      },
      removeItem: key => inner.removeItem(key),
    }
    const peer = track(await loggedIn(srv, 'parent')).conversation(1)
    const conv = track(await loggedIn(srv, 'student', { storage })).conversation(2)
    await until(peer, live)
    await until(conv, live)
    peer.send('hello')
    await until(conv, s => s.unreadCount === 1, 'the peer message')
    conv.markRead()
    expect(markerWrites).toBe(1)
    // The app marks read again on each later render; nothing new arrived.
    for (let i = 0; i < 50; i++) conv.markRead()
    expect(markerWrites).toBe(1)
  })
})
