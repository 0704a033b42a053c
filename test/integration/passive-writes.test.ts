/**
 * A passive client (server render, or the Vue plugin with `connect: false`) never sends, so it
 * leaves the shared storage alone: it claims no closed tab's unsent message and writes no read marker.
 */
import { describe, expect, it } from 'vitest'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import type { StorageAdapter } from '../../src/core/types'
import { clientFixture, loggedIn, USERS } from './helpers'

const { boot, track } = clientFixture()

function recording(inner: StorageAdapter): StorageAdapter & { writes: string[] } {
  const writes: string[] = []
  return {
    writes,
    getItem: key => inner.getItem(key),
    setItem: (key, value) => {
      writes.push(`set ${key}`)
      inner.setItem(key, value)
    },
    removeItem: (key) => {
      writes.push(`remove ${key}`)
      inner.removeItem(key)
    },
  }
}

describe('a passive client (server render, connect: false)', () => {
  it('claims no closed tab outbox and writes no read marker: it never sends', async () => {
    const srv = await boot()
    const backing = createMemoryStorage()
    const key = `vrc:outbox:${USERS.student.id}:2`
    // A tab that closed without destroy(): its heartbeat key is gone, its unsent message stays.
    const orphan = [{ id: 'dead-tab:1', owner: 'dead-tab', content: 'left behind', createdAt: Date.now(), status: 'queued', priorOccurrences: null }]
    backing.setItem(key, JSON.stringify(orphan))
    const storage = recording(backing)
    // Tokens live apart: logging in may write them, the rest of the storage is what is checked.
    const client = track(await loggedIn(srv, 'student', { storage, tokenStorage: createMemoryStorage(), passive: true }))
    const conv = client.conversation(2)
    conv.markRead()
    conv.release()
    expect(storage.writes).toEqual([])
    expect(JSON.parse(backing.getItem(key)!)).toEqual(orphan)
  })
})
