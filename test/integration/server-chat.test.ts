import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../../src/testing'
import type { MessageStore } from '../../src/testing'
import { connect, serverFixture } from './server-helpers'
import type { TestClient } from './server-helpers'

const OFFSET_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/
const Z_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/

const { start, chat, track } = serverFixture()

/** Send and wait for the sender's own echo, so the message is known to be stored. */
async function say(client: TestClient, text: string | number, from: number): Promise<void> {
  const count = client.frames.length
  client.send({ message: text })
  await client.until(() => client.frames.slice(count).some(f => JSON.stringify(f) === JSON.stringify({ message: text, sender_id: from })), `echo of ${text}`)
}

describe('sending', () => {
  it('stores, then broadcasts {"message","sender_id"} to the sender and the peer', async () => {
    const server = await start()
    const student = await chat(server, 1, 2)
    const parent = await chat(server, 2, 1)
    student.send({ message: 'hello' })
    await parent.until(() => parent.frames.length === 1, 'peer frame')
    await student.until(() => student.frames.length === 1, 'echo')
    expect(student.raw).toEqual(['{"message":"hello","sender_id":1}'])
    expect(parent.raw).toEqual(['{"message":"hello","sender_id":1}'])
    const log = await server.log(2, 1)
    expect(log).toMatchObject([{ sender_id: 1, reciever_id: 2, content: 'hello', is_read: false }])
  })

  it('keeps other conversations out of the group', async () => {
    const server = await start()
    const a = await chat(server, 1, 2)
    const other = await chat(server, 3, 1)
    await say(a, 'for 2 only', 1)
    await say(other, 'from 3', 3)
    expect(other.frames).toEqual([{ message: 'from 3', sender_id: 3 }])
  })

  it('accepts an empty message, broadcasts a number as a number and stores it as text', async () => {
    const server = await start()
    const a = await chat(server, 1, 2)
    await say(a, '', 1)
    await say(a, 42, 1)
    expect(a.raw).toEqual(['{"message":"","sender_id":1}', '{"message":42,"sender_id":1}'])
    expect((await server.log(1, 2)).map(m => m.content)).toEqual(['', '42'])
  })

  it('keeps identical texts from one sender as distinct messages', async () => {
    const server = await start()
    const a = await chat(server, 1, 2)
    await say(a, 'same', 1)
    await say(a, 'same', 1)
    expect((await server.log(1, 2)).map(m => m.content)).toEqual(['same', 'same'])
  })

  it('with echo off the sender gets nothing back, the peer still does', async () => {
    const server = await start({ echo: false })
    const a = await chat(server, 1, 2)
    const b = await chat(server, 2, 1)
    a.send({ message: 'quiet' })
    await b.until(() => b.frames.length === 1, 'peer frame')
    b.send({ message: 'reply' })
    await a.until(() => a.frames.length >= 1, 'reply')
    expect(a.frames).toEqual([{ message: 'reply', sender_id: 2 }])
    expect(b.frames).toEqual([{ message: 'quiet', sender_id: 1 }])
  })
})

describe('history replay', () => {
  it('replays both directions oldest first, one frame per message, in the wire format', async () => {
    const server = await start()
    const a = await chat(server, 1, 2)
    const b = await chat(server, 2, 1)
    await say(a, 'one', 1)
    await b.until(() => b.frames.length === 1, 'one')
    await say(b, 'two', 2)
    await say(a, 'three', 1)
    const again = await chat(server, 1, 2)
    await again.until(() => again.frames.length === 3, 'replay')
    const frames = again.frames as Record<string, unknown>[]
    expect(frames.map(f => [f.sender_id, f.reciever_id, f.content, f.is_read])).toEqual([
      [1, 2, 'one', false], [2, 1, 'two', false], [1, 2, 'three', false],
    ])
    expect(again.raw[0]).toMatch(/^\{"sender_id":1,"reciever_id":2,"content":"one","timestamp":"[^"]+","is_read":false\}$/)
    for (const f of frames)
      expect(f.timestamp).toMatch(OFFSET_TS)
    const times = frames.map(f => Date.parse(String(f.timestamp).slice(0, 23) + 'Z'))
    expect([...times].sort((x, y) => x - y)).toEqual(times)
  })

  it('switches to Z timestamps at run time', async () => {
    const server = await start()
    const a = await chat(server, 1, 2)
    await say(a, 'zulu', 1)
    server.configure({ timestampFormat: 'z' })
    const again = await chat(server, 2, 1)
    await again.until(() => again.frames.length === 1, 'replay')
    expect((again.frames[0] as { timestamp: string }).timestamp).toMatch(Z_TS)
  })

  it('omits a zero fraction, as Python isoformat does, with a pluggable store', async () => {
    const inner = createMemoryStore()
    const store: MessageStore = { append: m => inner.append(m), list: (a, b) => inner.list(a, b) }
    await store.append({ sender_id: 2, reciever_id: 1, content: 'on the second', createdAt: Date.UTC(2026, 10, 24, 11, 31, 14), micros: 0, is_read: false })
    await store.append({ sender_id: 2, reciever_id: 1, content: 'micro', createdAt: Date.UTC(2026, 10, 24, 11, 31, 14, 892), micros: 717, is_read: false })
    const server = await start({ store })
    const a = await chat(server, 1, 2)
    await a.until(() => a.frames.length === 2, 'replay')
    expect(a.frames.map(f => (f as { timestamp: string }).timestamp)).toEqual(['2026-11-24T11:31:14+00:00', '2026-11-24T11:31:14.892717+00:00'])
  })

  it('sends nothing at all for an empty conversation', async () => {
    const server = await start()
    const a = await chat(server, 1, 3)
    await say(a, 'first', 1)
    expect(a.frames).toEqual([{ message: 'first', sender_id: 1 }])
  })

  it('a message stored between group join and history read arrives twice: end of replay, then live', async () => {
    const server = await start({ historyReadDelayMs: 150 })
    const b = await chat(server, 2, 1)
    const a = connect(`${server.wsUrl}/ws/chat/2/?token=${server.issueTokens(1).access}`)
    track(a)
    await a.open()
    b.send({ message: 'in the gap' })
    await a.until(() => a.frames.length === 2, 'replay + live')
    expect(a.frames).toEqual([
      expect.objectContaining({ sender_id: 2, reciever_id: 1, content: 'in the gap' }),
      { message: 'in the gap', sender_id: 2 },
    ])
    expect(await server.log(1, 2)).toHaveLength(1)
  })
})

describe('bad input kills the socket with 1011, no reason, no frame', () => {
  it.each<[string, string | Buffer]>([
    ['invalid JSON', '{nope'],
    ['a frame without "message"', '{"text":"hi"}'],
    ['an array', '["hi"]'],
    ['null', 'null'],
    ['a bare string', '"hi"'],
    ['a typing frame', '{"type":"typing"}'],
    ['a read frame', '{"type":"read"}'],
    ['a message of null', '{"message":null}'],
    ['a binary frame', Buffer.from('{"message":"hi"}')],
  ])('%s', async (_, payload) => {
    const server = await start()
    const a = await chat(server, 1, 2)
    const b = await chat(server, 2, 1)
    a.ws.send(payload)
    expect(await a.closed()).toBe(1011)
    expect(a.closeReason).toBe('')
    expect(a.frames).toEqual([])
    await say(b, 'peer still fine', 2)
    expect(b.frames).toEqual([{ message: 'peer still fine', sender_id: 2 }])
    expect(await server.log(1, 2)).toHaveLength(1)
  })

  it('extension servers broadcast typing and read to the peer instead', async () => {
    const server = await start({ extensions: true })
    const a = await chat(server, 1, 2)
    const b = await chat(server, 2, 1)
    a.send({ type: 'typing' })
    a.send({ type: 'read' })
    await b.until(() => b.frames.length === 2, 'extension frames')
    expect(b.frames).toEqual([{ type: 'typing', sender_id: 1 }, { type: 'read', sender_id: 1 }])
    a.send({ type: 'presence' })
    expect(await a.closed()).toBe(1011)
  })
})
