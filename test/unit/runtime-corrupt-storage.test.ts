import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import type { ChatClient, StorageAdapter } from '../../src/core/types'
import type { ChatServer } from '../../src/testing'
import { live, makeClient, settled, startServer, until, USERS } from '../integration/helpers'

const KEY = 'vrc:outbox:1:2'

const CORRUPT: Array<[string, string]> = [
  ['not JSON', '{"id":'],
  ['JSON null', 'null'],
  ['an object instead of a list', '{"owner":"dead","id":"x"}'],
  ['a list of junk', '[null, 5, "x", [], {"owner": 7}]'],
  ['entries of wrong shapes', '[{"owner":"dead","id":1,"content":{},"createdAt":"yesterday","status":"pending"}]'],
  ['a time no Date can hold', '[{"owner":"dead","id":"a","content":"hi","createdAt":1e300,"status":"pending","priorOccurrences":0}]'],
]

let server: ChatServer
let client: ChatClient | null = null
beforeEach(async () => {
  server = await startServer()
})
afterEach(async () => {
  client?.destroy()
  client = null
  await server.close()
})

describe('client pool with corrupted stored outbox data', () => {
  it.each(CORRUPT)('%s: conversation(2) works, goes live, the key is dropped with a warning', async (_label, value) => {
    const storage: StorageAdapter = createMemoryStorage()
    storage.setItem(KEY, value)
    const warnings: Array<{ message: string; details: Record<string, unknown> | undefined }> = []
    client = makeClient(server, { storage, logger: { warn: (message, details) => warnings.push({ message, details }) } })
    await client.auth.login(USERS.student.email, USERS.student.password)

    const chat = client.conversation(2)
    expect(chat.getSnapshot().messages).toEqual([])
    await until(chat, live, 'live')
    expect(storage.getItem(KEY)).toBeNull()
    expect(warnings.length).toBeGreaterThan(0)
    expect(warnings[0]?.details).toEqual({ key: KEY })
    expect(JSON.stringify(warnings)).not.toContain('eyJ')

    // The pooled entry is the working one: a second handle shares it and can send.
    const again = client.conversation(2)
    expect(again.send('after corruption').ok).toBe(true)
    await until(chat, settled, 'send settled')
    expect(chat.getSnapshot().messages.map(m => m.content)).toEqual(['after corruption'])
    again.release()
    chat.release()
  })

  it('valid entries next to junk survive; only the junk is dropped', async () => {
    const storage = createMemoryStorage()
    storage.setItem(KEY, JSON.stringify([
      { owner: 'gone', id: 'keep', content: 'kept', createdAt: Date.now(), status: 'failed', priorOccurrences: null, error: 'network' },
      { owner: 'gone', id: 9 },
    ]))
    client = makeClient(server, { storage })
    await client.auth.login(USERS.student.email, USERS.student.password)
    const chat = client.conversation(2)
    await until(chat, live, 'live')
    expect(chat.getSnapshot().messages.map(m => [m.content, m.status])).toEqual([['kept', 'failed']])
    chat.release()
  })

  it('corruption met on login (conversation acquired while signed out) does not break the auth listener', async () => {
    const storage = createMemoryStorage()
    storage.setItem(KEY, '[{"owner":"dead","id":"a","content":"hi","createdAt":1e300,"status":"pending"}]')
    client = makeClient(server, { storage })
    const chat = client.conversation(2)
    expect(chat.getSnapshot().status).toBe('idle')
    await client.auth.login(USERS.student.email, USERS.student.password)
    await until(chat, live, 'live')
    expect(storage.getItem(KEY)).toBeNull()
    chat.release()
  })
})
