/**
 * Incoming read receipts (`readReceiptsExtension`): real clients on the real test server, which
 * forwards `{"type":"read"}` as `{"type":"read","sender_id":n}` to the rest of the group.
 */
import { describe, expect, it } from 'vitest'
import { readReceiptsExtension } from '../../src/core/conversation/read-receipts'
import { typingExtension } from '../../src/core/conversation/typing'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import type { ConversationSnapshot } from '../../src/core/types'
import { clientFixture, live, loggedIn, settled, until } from './helpers'

const { boot, track } = clientFixture()
const extensions = { readReceipts: readReceiptsExtension }

/** `content:isRead` of every message. */
function reads(s: ConversationSnapshot): string[] {
  return s.messages.map(m => `${m.content}:${m.isRead}`)
}

describe('read receipts (extension)', () => {
  it('own messages stored before the peer read them become isRead; later ones and own receipts do not; survives a reload', async () => {
    const srv = await boot({ extensions: true })
    const storage = createMemoryStorage()
    const first = track(await loggedIn(srv, 'student', { storage, extensions }))
    const a = first.conversation(2)
    const b = track(await loggedIn(srv, 'parent', { extensions })).conversation(1)
    await until(a, live)
    await until(b, live)

    a.send('one')
    a.send('two')
    await until(a, x => settled(x) && x.messages.length === 2, 'A sent 2')
    expect(reads(a.getSnapshot())).toEqual(['one:false', 'two:false'])
    await until(b, x => x.unreadCount === 2, 'B received 2')
    b.markRead()
    await until(a, x => x.messages.every(m => m.isRead), 'A sees the receipt')
    expect(reads(a.getSnapshot())).toEqual(['one:true', 'two:true'])

    a.send('three')
    await until(b, x => x.messages.length === 3, 'B received three')
    // B's next frame follows any receipt it sent: once A has it, nothing else is on the way
    b.send('ack')
    await until(a, x => settled(x) && x.messages.length === 4, 'A received ack')
    expect(reads(a.getSnapshot())).toEqual(['one:true', 'two:true', 'three:false', 'ack:false'])

    // the same user on another device reads: the server forwards that receipt to A's socket too
    const other = track(await loggedIn(srv, 'student', { extensions })).conversation(2)
    await until(other, x => live(x) && x.unreadCount === 1, 'second device has ack unread')
    other.markRead()
    other.send('after')
    await until(a, x => x.messages.length === 5, 'A received after')
    expect(reads(a.getSnapshot())).toEqual(['one:true', 'two:true', 'three:false', 'ack:false', 'after:false'])
    // for B that receipt came from its peer: B's own message is read
    await until(b, x => x.messages.some(m => m.content === 'ack' && m.isRead), 'B sees its ack read')

    // reload A: the receipt count (2 own messages) was persisted; the server never stores read state
    first.destroy()
    const reloaded = track(await loggedIn(srv, 'student', { storage, extensions })).conversation(2)
    const snap = await until(reloaded, x => settled(x) && x.messages.length === 5, 'reloaded A replayed')
    expect(reads(snap)).toEqual(['one:true', 'two:true', 'three:false', 'ack:false', 'after:false'])
    expect(snap.messages.every(m => m.serverTime)).toBe(true)
  })

  it('receipts are ignored without the read-receipts extension (typing only)', async () => {
    const srv = await boot({ extensions: true })
    const a = track(await loggedIn(srv, 'student', { extensions: { typing: typingExtension } })).conversation(2)
    const b = track(await loggedIn(srv, 'parent', { extensions })).conversation(1)
    await until(a, live)
    await until(b, live)
    a.send('one')
    await until(b, x => x.unreadCount === 1, 'B received one')
    b.markRead()
    b.send('ack')
    const snap = await until(a, x => settled(x) && x.messages.length === 2, 'A received ack')
    expect(reads(snap)).toEqual(['one:false', 'ack:false'])
  })
})
