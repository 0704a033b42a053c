import { describe, expect, it } from 'vitest'
import { Timeline } from '../../src/core/timeline/timeline'
import { hist, live, makeTimeline, ME, PEER, replay, shape, strictTransitions } from './timeline-helpers'

describe('Timeline: live frames', () => {
  it('matches echoes FIFO to pending sends with identical texts', () => {
    const { tl } = makeTimeline()
    const a = tl.enqueue('ok')
    const b = tl.enqueue('ok')
    expect(tl.takeQueued().map(m => m.id)).toEqual([a.id, b.id])
    expect(shape(tl)).toEqual(['1:ok:pending', '1:ok:pending'])
    expect(tl.applyLive(live(ME, 'ok'))).toBe('echo')
    expect(tl.messages().map(m => [m.id, m.status])).toEqual([[a.id, 'sent'], [b.id, 'pending']])
    expect(tl.applyLive(live(ME, 'ok'))).toBe('echo')
    expect(tl.messages().map(m => [m.id, m.status])).toEqual([[a.id, 'sent'], [b.id, 'sent']])
    expect(tl.applyLive(live(ME, 'ok'))).toBe('own-elsewhere')
    expect(shape(tl)).toEqual(['1:ok:sent', '1:ok:sent', '1:ok:sent'])
  })

  it('prefers a pending send over an unknown one, then takes the unknown', () => {
    const { tl } = makeTimeline()
    const old = tl.enqueue('x')
    tl.takeQueued()
    tl.disconnected()
    replay(tl, [])
    // replay proved `old` lost: requeued, then sent again
    expect(tl.messages()[0]).toMatchObject({ id: old.id, status: 'queued' })
    const fresh = tl.enqueue('x')
    tl.takeQueued()
    tl.disconnected()
    expect(shape(tl)).toEqual(['1:x:unknown', '1:x:unknown'])
    expect(tl.applyLive(live(ME, 'x'))).toBe('echo')
    expect(tl.messages().find(m => m.status === 'sent')?.id).toBe(old.id)
    expect(tl.messages().find(m => m.status === 'unknown')?.id).toBe(fresh.id)
  })

  it('adds peer messages with local time and ignores foreign senders', () => {
    const { tl, clock } = makeTimeline()
    clock.advance(5)
    expect(tl.applyLive(live(PEER, 'hey'))).toBe('peer')
    expect(tl.applyLive(live('99', 'spam'))).toBe('foreign')
    const [m] = tl.messages()
    expect(m).toMatchObject({ senderId: PEER, receiverId: ME, content: 'hey', status: 'sent', serverTime: false, isMine: false, isRead: false })
    expect(m?.createdAt).toBe(new Date(clock.now()).toISOString())
    expect(tl.messages()).toHaveLength(1)
  })

  it('keeps the confirmed part in server order and own unsent messages last', () => {
    const { tl } = makeTimeline()
    tl.enqueue('mine')
    tl.takeQueued()
    tl.applyLive(live(PEER, 'theirs'))
    expect(shape(tl)).toEqual(['2:theirs:sent', '1:mine:pending'])
    tl.applyLive(live(ME, 'mine'))
    expect(shape(tl)).toEqual(['2:theirs:sent', '1:mine:sent'])
  })

  it('a live frame during a replay ends the replay first', () => {
    const { tl } = makeTimeline()
    tl.beginReplay()
    tl.addReplayFrame(hist(PEER, 'old'))
    expect(tl.applyLive(live(PEER, 'new'))).toBe('peer')
    expect(tl.replaying).toBe(false)
    expect(shape(tl)).toEqual(['2:old:sent', '2:new:sent'])
  })
})

describe('Timeline: replay alignment', () => {
  it('inserts a first replay in order, with server time and is_read', () => {
    const { tl } = makeTimeline()
    const frames = [hist(ME, 'a'), hist(PEER, 'b', true), hist(ME, 'a')]
    expect(replay(tl, frames)).toEqual({ inserted: 3, confirmed: 0, requeued: 0, removed: 0 })
    expect(tl.messages().map(m => [m.content, m.createdAt, m.serverTime, m.isRead])).toEqual(
      frames.map(f => [f.content, f.timestamp, true, f.senderId === PEER]),
    )
    expect(new Set(tl.messages().map(m => m.id)).size).toBe(3)
  })

  it('keeps ids and object identity across an identical reconnect replay', () => {
    const { tl } = makeTimeline()
    const frames = [hist(ME, 'a'), hist(PEER, 'b'), hist(ME, 'a')]
    replay(tl, frames)
    const before = tl.messages()
    const version = tl.version
    expect(replay(tl, frames)).toEqual({ inserted: 0, confirmed: 0, requeued: 0, removed: 0 })
    expect(tl.messages()).toBe(before)
    expect(tl.version).toBe(version)
  })

  it('confirms live messages with server time and keeps their ids', () => {
    const { tl } = makeTimeline()
    const mine = tl.enqueue('hi')
    tl.takeQueued()
    tl.applyLive(live(ME, 'hi'))
    tl.applyLive(live(PEER, 'yo'))
    const peerId = tl.messages()[1]?.id
    const frames = [hist(ME, 'hi'), hist(PEER, 'yo')]
    replay(tl, frames)
    expect(tl.messages().map(m => [m.id, m.createdAt, m.serverTime])).toEqual([
      [mine.id, frames[0]?.timestamp, true],
      [peerId, frames[1]?.timestamp, true],
    ])
  })

  it('confirms an unknown send the replay contains, and requeues one it lacks', () => {
    const { tl } = makeTimeline()
    const stored = tl.enqueue('one')
    const lost = tl.enqueue('two')
    tl.takeQueued()
    tl.disconnected()
    expect(replay(tl, [hist(ME, 'one')])).toEqual({ inserted: 0, confirmed: 1, requeued: 1, removed: 0 })
    expect(tl.messages().map(m => [m.id, m.status, m.serverTime])).toEqual([[stored.id, 'sent', true], [lost.id, 'queued', false]])
    expect(tl.outbox()).toEqual([expect.objectContaining({ id: lost.id, status: 'queued', priorOccurrences: null })])
  })

  it('beginReplay turns pending sends of the previous socket into unknown', () => {
    const { tl } = makeTimeline()
    tl.enqueue('x')
    tl.takeQueued()
    tl.beginReplay()
    expect(shape(tl)).toEqual(['1:x:unknown'])
  })

  it('reload: an unknown send that WAS stored is confirmed by the newer identical occurrence', () => {
    const { tl } = makeTimeline()
    replay(tl, [hist(ME, 'ok')])
    const m = tl.enqueue('ok')
    const [taken] = tl.takeQueued()
    expect(taken?.id).toBe(m.id)
    const saved = tl.outbox()
    expect(saved).toEqual([expect.objectContaining({ id: m.id, status: 'pending', priorOccurrences: 1 })])

    const reloaded = makeTimeline().tl
    reloaded.restore(saved)
    expect(shape(reloaded)).toEqual(['1:ok:unknown'])
    expect(replay(reloaded, [hist(ME, 'ok'), hist(ME, 'ok')])).toEqual({ inserted: 1, confirmed: 1, requeued: 0, removed: 0 })
    expect(reloaded.messages().map(x => [x.content, x.status])).toEqual([['ok', 'sent'], ['ok', 'sent']])
    expect(reloaded.messages()[1]?.id).toBe(m.id)
    expect(reloaded.outbox()).toEqual([])
  })

  it('reload: an unknown send that was NOT stored is not confirmed by an older identical message', () => {
    const { tl } = makeTimeline()
    replay(tl, [hist(ME, 'ok')])
    tl.enqueue('ok')
    tl.takeQueued()
    const reloaded = makeTimeline().tl
    reloaded.restore(tl.outbox())
    expect(replay(reloaded, [hist(ME, 'ok')])).toEqual({ inserted: 1, confirmed: 0, requeued: 1, removed: 0 })
    expect(shape(reloaded)).toEqual(['1:ok:sent', '1:ok:queued'])
    // resent: priorOccurrences now counts the stored one
    reloaded.takeQueued()
    expect(reloaded.outbox()[0]?.priorOccurrences).toBe(1)
  })

  it('reload: two identical sends written together, the first echoed, the second lost → resent once', () => {
    const { tl } = makeTimeline()
    replay(tl, [])
    tl.enqueue('hi')
    tl.enqueue('hi')
    tl.takeQueued()
    expect(tl.applyLive(live(ME, 'hi'))).toBe('echo')
    // The second learned that one identical message of mine is stored before it.
    expect(tl.outbox()).toEqual([expect.objectContaining({ status: 'pending', priorOccurrences: 1 })])
    const reloaded = makeTimeline().tl
    reloaded.restore(tl.outbox())
    expect(replay(reloaded, [hist(ME, 'hi')])).toEqual({ inserted: 1, confirmed: 0, requeued: 1, removed: 0 })
    expect(shape(reloaded)).toEqual(['1:hi:sent', '1:hi:queued'])
  })

  it('a restore() during a first replay still aligns the restored sends', () => {
    const { tl } = makeTimeline()
    tl.beginReplay()
    tl.addReplayFrame(hist(PEER, 'a'))
    tl.restore([{ id: 'r1', content: 'mine', createdAt: 5, status: 'pending', priorOccurrences: 0 }])
    tl.addReplayFrame(hist(ME, 'mine'))
    expect(tl.endReplay()).toEqual({ inserted: 1, confirmed: 1, requeued: 0, removed: 0 })
    expect(tl.messages().map(m => [m.id, m.status])).toEqual([[expect.any(String), 'sent'], ['r1', 'sent']])
  })

  it('a queued message never written to a socket never matches, failed ones neither', () => {
    const { tl } = makeTimeline()
    tl.enqueue('hi')
    tl.enqueue('hi', 'message_too_long')
    expect(replay(tl, [hist(ME, 'hi')])).toEqual({ inserted: 1, confirmed: 0, requeued: 0, removed: 0 })
    expect(shape(tl)).toEqual(['1:hi:sent', '1:hi:queued', '1:hi:failed'])
  })

  it('removes phantom copies the replay does not contain', () => {
    const { tl } = makeTimeline()
    replay(tl, [hist(PEER, 'a')])
    tl.applyLive(live(PEER, 'x'))
    tl.applyLive(live(ME, 'y'))
    tl.applyLive(live(PEER, 'a'))
    expect(replay(tl, [hist(PEER, 'a'), hist(PEER, 'a')])).toEqual({ inserted: 0, confirmed: 0, requeued: 0, removed: 2 })
    expect(shape(tl)).toEqual(['2:a:sent', '2:a:sent'])
  })

  it('the confirmed part equals the replay exactly, in server order', () => {
    const { tl } = makeTimeline()
    tl.applyLive(live(PEER, 'p1'))
    tl.applyLive(live(ME, 'm1'))
    tl.enqueue('m2')
    tl.takeQueued()
    tl.enqueue('m3')
    const frames = [hist(ME, 'm0'), hist(ME, 'm1'), hist(PEER, 'p1'), hist(ME, 'm2'), hist(PEER, 'p2')]
    const result = replay(tl, frames)
    expect(result).toEqual({ inserted: 2, confirmed: 1, requeued: 0, removed: 0 })
    expect(shape(tl)).toEqual(['1:m0:sent', '1:m1:sent', '2:p1:sent', '1:m2:sent', '2:p2:sent', '1:m3:queued'])
  })

  it('identical texts stay distinct messages', () => {
    const { tl } = makeTimeline()
    replay(tl, [hist(PEER, 'ok'), hist(PEER, 'ok'), hist(PEER, 'ok')])
    expect(new Set(tl.messages().map(m => m.id)).size).toBe(3)
    replay(tl, [hist(PEER, 'ok'), hist(PEER, 'ok'), hist(PEER, 'ok'), hist(PEER, 'ok')])
    expect(new Set(tl.messages().map(m => m.id)).size).toBe(4)
  })

  it('default ids: unique across id blocks and timelines, short (V8 keeps strings under 13 characters flat)', () => {
    const frames = Array.from({ length: 2100 }, (_, i) => hist(i % 2 ? ME : PEER, 'same'))
    const a = new Timeline({ selfId: ME, peerId: PEER, now: Date.now, onInvalidTransition: strictTransitions })
    const b = new Timeline({ selfId: ME, peerId: PEER, now: Date.now, onInvalidTransition: strictTransitions })
    replay(a, frames)
    replay(b, frames)
    const ids = [...a.messages(), ...b.messages()].map(m => m.id)
    expect(new Set(ids).size).toBe(4200)
    for (const id of ids) expect(id.length).toBeLessThan(13)
  })

  it('history frames outside a replay are ignored, endReplay without begin is a no-op', () => {
    const { tl } = makeTimeline()
    tl.addReplayFrame(hist(PEER, 'late'))
    expect(tl.endReplay()).toEqual({ inserted: 0, confirmed: 0, requeued: 0, removed: 0 })
    expect(tl.messages()).toEqual([])
  })

  it('takeQueued waits for the end of the replay', () => {
    const { tl } = makeTimeline()
    tl.beginReplay()
    tl.enqueue('x')
    expect(tl.takeQueued()).toEqual([])
    tl.endReplay()
    expect(tl.takeQueued()).toHaveLength(1)
  })
})

describe('Timeline: gap duplicates', () => {
  it('drops a single live repeat of the last replay message', () => {
    const { tl, clock } = makeTimeline()
    replay(tl, [hist(PEER, 'a'), hist(PEER, 'b')])
    clock.advance(10)
    expect(tl.applyLive(live(PEER, 'b'))).toBe('gap-duplicate')
    expect(tl.applyLive(live(PEER, 'b'))).toBe('peer')
    expect(shape(tl)).toEqual(['2:a:sent', '2:b:sent', '2:b:sent'])
  })

  it('drops several repeats of the tail in order (own ones included)', () => {
    const { tl, clock } = makeTimeline()
    replay(tl, [hist(PEER, 'a'), hist(ME, 'b'), hist(PEER, 'c')])
    clock.advance(5)
    expect(tl.applyLive(live(ME, 'b'))).toBe('held')
    expect(shape(tl)).toHaveLength(3)
    clock.advance(5)
    expect(tl.applyLive(live(PEER, 'c'))).toBe('gap-duplicate')
    expect(tl.gapDeadline()).toBeNull()
    expect(tl.applyLive(live(PEER, 'd'))).toBe('peer')
    expect(shape(tl)).toEqual(['2:a:sent', '1:b:sent', '2:c:sent', '2:d:sent'])
  })

  it('drops several identical repeats: the longest matching suffix wins', () => {
    const { tl } = makeTimeline()
    replay(tl, [hist(PEER, 'x'), hist(PEER, 'ok'), hist(PEER, 'ok')])
    expect(tl.applyLive(live(PEER, 'ok'))).toBe('gap-duplicate')
    expect(tl.applyLive(live(PEER, 'ok'))).toBe('gap-duplicate')
    expect(tl.applyLive(live(PEER, 'ok'))).toBe('peer')
    expect(shape(tl)).toEqual(['2:x:sent', '2:ok:sent', '2:ok:sent', '2:ok:sent'])
  })

  it('after a complete duplicate, frames that only a longer suffix explains are held, then released on a break', () => {
    const { tl } = makeTimeline()
    replay(tl, [hist(PEER, 'a'), hist(PEER, 'b'), hist(PEER, 'a')])
    expect(tl.applyLive(live(PEER, 'a'))).toBe('gap-duplicate')
    expect(tl.applyLive(live(PEER, 'b'))).toBe('held')
    expect(shape(tl)).toEqual(['2:a:sent', '2:b:sent', '2:a:sent'])
    expect(tl.applyLive(live(PEER, 'c'))).toBe('peer')
    expect(shape(tl)).toEqual(['2:a:sent', '2:b:sent', '2:a:sent', '2:b:sent', '2:c:sent'])
  })

  it('releases held frames in order the moment the sequence breaks', () => {
    const { tl, clock } = makeTimeline()
    replay(tl, [hist(PEER, 'a'), hist(PEER, 'b'), hist(PEER, 'c')])
    clock.advance(1)
    expect(tl.applyLive(live(PEER, 'a'))).toBe('held')
    expect(tl.applyLive(live(PEER, 'b'))).toBe('held')
    expect(tl.applyLive(live(PEER, 'z'))).toBe('peer')
    expect(shape(tl)).toEqual(['2:a:sent', '2:b:sent', '2:c:sent', '2:a:sent', '2:b:sent', '2:z:sent'])
  })

  it('treats repeats after the window as real messages', () => {
    const { tl, clock } = makeTimeline({ gapWindowMs: 100 })
    replay(tl, [hist(PEER, 'a')])
    clock.advance(101)
    expect(tl.applyLive(live(PEER, 'a'))).toBe('peer')
    expect(shape(tl)).toEqual(['2:a:sent', '2:a:sent'])
  })

  it('measures the window from the last replay frame and then from each duplicate', () => {
    const { tl, clock } = makeTimeline({ gapWindowMs: 100 })
    tl.beginReplay()
    tl.addReplayFrame(hist(PEER, 'a'))
    tl.addReplayFrame(hist(PEER, 'b'))
    tl.addReplayFrame(hist(PEER, 'c'))
    clock.advance(300) // quiet period ends the replay
    tl.endReplay()
    expect(tl.applyLive(live(PEER, 'c'))).toBe('peer')

    const second = makeTimeline({ gapWindowMs: 100 })
    replay(second.tl, [hist(PEER, 'a'), hist(PEER, 'b'), hist(PEER, 'c')])
    second.clock.advance(90)
    expect(second.tl.applyLive(live(PEER, 'b'))).toBe('held')
    second.clock.advance(90)
    expect(second.tl.applyLive(live(PEER, 'c'))).toBe('gap-duplicate')
  })

  it('settle() releases held frames once the window has passed, never loses them', () => {
    const { tl, clock } = makeTimeline({ gapWindowMs: 100 })
    replay(tl, [hist(PEER, 'a'), hist(PEER, 'b')])
    clock.advance(10)
    expect(tl.applyLive(live(PEER, 'a'))).toBe('held')
    expect(tl.gapDeadline()).toBe(clock.now() + 100)
    expect(tl.settle()).toBe(0)
    clock.advance(101)
    expect(tl.settle()).toBe(1)
    expect(shape(tl)).toEqual(['2:a:sent', '2:b:sent', '2:a:sent'])
    expect(tl.gapDeadline()).toBeNull()
  })

  it('a clock that stepped back ends the window: held frames settle, an own echo is not taken for a repeat', () => {
    const { tl, clock } = makeTimeline({ gapWindowMs: 100 })
    replay(tl, [hist(PEER, 'a'), hist(PEER, 'b'), hist(ME, 'ok')])
    clock.advance(10)
    expect(tl.applyLive(live(PEER, 'a'))).toBe('held')
    clock.advance(-120_000)
    expect(tl.settle()).toBe(1)
    expect(shape(tl)).toEqual(['2:a:sent', '2:b:sent', '1:ok:sent', '2:a:sent'])

    const second = makeTimeline({ gapWindowMs: 100 })
    replay(second.tl, [hist(PEER, 'a'), hist(ME, 'ok')])
    second.clock.advance(-120_000)
    second.tl.enqueue('ok')
    second.tl.takeQueued()
    expect(second.tl.applyLive(live(ME, 'ok'))).toBe('echo')
  })

  it('a race duplicate after a clock step of either sign shows until the next replay removes it', () => {
    for (const step of [-600_000, 600_000]) {
      const { tl, clock } = makeTimeline()
      replay(tl, [hist(ME, 'hi'), hist(PEER, 'hi')])
      clock.advance(step)
      expect(tl.applyLive(live(PEER, 'hi'))).toBe('peer')
      expect(shape(tl)).toEqual(['1:hi:sent', '2:hi:sent', '2:hi:sent'])
      replay(tl, [hist(ME, 'hi'), hist(PEER, 'hi')])
      expect(shape(tl)).toEqual(['1:hi:sent', '2:hi:sent'])
    }
  })

  it('a drop or a new replay releases held frames', () => {
    const { tl, clock } = makeTimeline()
    replay(tl, [hist(PEER, 'a'), hist(PEER, 'b')])
    clock.advance(1)
    tl.applyLive(live(PEER, 'a'))
    tl.disconnected()
    expect(shape(tl)).toEqual(['2:a:sent', '2:b:sent', '2:a:sent'])
  })

  it('an echo of a send flushed after a quiet-period replay is an echo, not a duplicate', () => {
    const { tl, clock } = makeTimeline()
    tl.enqueue('ok')
    tl.beginReplay()
    tl.addReplayFrame(hist(ME, 'ok'))
    clock.advance(300)
    tl.endReplay()
    tl.takeQueued()
    clock.advance(2)
    expect(tl.applyLive(live(ME, 'ok'))).toBe('echo')
    expect(shape(tl)).toEqual(['1:ok:sent', '1:ok:sent'])
  })
})

describe('Timeline: local operations', () => {
  it('retry, discard and fail act on own unsent messages only', () => {
    const { tl } = makeTimeline()
    replay(tl, [hist(ME, 'stored')])
    const storedId = tl.messages()[0]!.id
    const bad = tl.enqueue('long', 'message_too_long')
    expect(tl.messages()[1]).toMatchObject({ status: 'failed', error: 'message_too_long' })
    expect(tl.retry(bad.id)).toBe(true)
    expect(tl.messages()[1]).toMatchObject({ status: 'queued' })
    expect(tl.messages()[1]).not.toHaveProperty('error')
    expect(tl.retry(bad.id)).toBe(false)
    expect(tl.fail(bad.id, 'invalid_message')).toBe(true)
    expect(tl.messages()[1]).toMatchObject({ status: 'failed', error: 'invalid_message' })
    expect(tl.discard(bad.id)).toBe(true)
    expect(tl.discard(bad.id)).toBe(false)
    expect(tl.discard(storedId)).toBe(false)
    expect(tl.fail(storedId, 'invalid_message')).toBe(false)
    expect(tl.retry('nope')).toBe(false)
    expect(shape(tl)).toEqual(['1:stored:sent'])
  })

  it('disconnected() turns pending into unknown, retry() brings an unknown back to queued', () => {
    const { tl } = makeTimeline()
    const m = tl.enqueue('x')
    tl.takeQueued()
    tl.disconnected()
    expect(shape(tl)).toEqual(['1:x:unknown'])
    expect(tl.retry(m.id)).toBe(true)
    expect(shape(tl)).toEqual(['1:x:queued'])
  })

  it('restore() brings an outbox back, pending as unknown, skipping junk and duplicates', () => {
    const { tl } = makeTimeline()
    const entries = [
      { id: 'a', content: 'one', createdAt: 1000, status: 'pending', priorOccurrences: 0 },
      { id: 'b', content: 'two', createdAt: 2000, status: 'queued', priorOccurrences: null },
      { id: 'c', content: 'three', createdAt: 3000, status: 'failed', priorOccurrences: null, error: 'message_too_long' },
      { id: 'd', content: 4, createdAt: 1, status: 'queued', priorOccurrences: null },
      { id: 'e', content: 'x', createdAt: 1, status: 'sent', priorOccurrences: null },
      null,
    ] as never
    tl.restore(entries)
    tl.restore(entries)
    expect(tl.messages().map(m => [m.id, m.status, m.createdAt])).toEqual([
      ['a', 'unknown', new Date(1000).toISOString()],
      ['b', 'queued', new Date(2000).toISOString()],
      ['c', 'failed', new Date(3000).toISOString()],
    ])
    expect(tl.outbox()).toEqual([
      { id: 'a', content: 'one', createdAt: 1000, status: 'unknown', priorOccurrences: 0 },
      { id: 'b', content: 'two', createdAt: 2000, status: 'queued', priorOccurrences: null },
      { id: 'c', content: 'three', createdAt: 3000, status: 'failed', priorOccurrences: null, error: 'message_too_long' },
    ])
  })
})

describe('Timeline: read marker', () => {
  it('counts unread peer messages and marks them read', () => {
    const { tl } = makeTimeline()
    replay(tl, [hist(PEER, 'a', true), hist(ME, 'b'), hist(PEER, 'c'), hist(PEER, 'd')])
    expect(tl.unreadCount).toBe(2)
    expect(tl.messages().filter(m => !m.isMine).map(m => m.isRead)).toEqual([true, false, false])
    expect(tl.markRead()).toBe(3)
    expect(tl.unreadCount).toBe(0)
    expect(tl.messages().every(m => m.isMine || m.isRead)).toBe(true)
    tl.applyLive(live(PEER, 'e'))
    expect(tl.unreadCount).toBe(1)
    expect(tl.messages().at(-1)).toMatchObject({ content: 'e', isRead: false })
  })

  it('a restored marker applies by index among peer messages', () => {
    const { tl } = makeTimeline()
    tl.setReadCount(2)
    replay(tl, [hist(PEER, 'a'), hist(PEER, 'b'), hist(PEER, 'c')])
    expect(tl.readCount).toBe(2)
    expect(tl.messages().map(m => m.isRead)).toEqual([true, true, false])
    expect(tl.unreadCount).toBe(1)
    tl.setReadCount(-5)
    expect(tl.unreadCount).toBe(3)
  })

  it('own messages are never unread', () => {
    const { tl } = makeTimeline()
    tl.applyLive(live(ME, 'x'))
    expect(tl.unreadCount).toBe(0)
  })
})

describe('Timeline: immutability and identity', () => {
  it('messages() is the same frozen array until a change, then only changed messages are new objects', () => {
    const { tl } = makeTimeline()
    replay(tl, [hist(PEER, 'a'), hist(ME, 'b')])
    const first = tl.messages()
    expect(Object.isFrozen(first)).toBe(true)
    expect(first.every(m => Object.isFrozen(m))).toBe(true)
    expect(tl.messages()).toBe(first)
    const v = tl.version
    tl.enqueue('c')
    expect(tl.version).toBe(v + 1)
    const second = tl.messages()
    expect(second).not.toBe(first)
    expect(second[0]).toBe(first[0])
    expect(second[1]).toBe(first[1])
    tl.markRead()
    const third = tl.messages()
    expect(third[0]).not.toBe(first[0])
    expect(third[0]?.id).toBe(first[0]?.id)
    expect(third[1]).toBe(first[1])
    expect(() => {
      (third[0] as { content: string }).content = 'hacked'
    }).toThrow(TypeError)
  })

  it('status changes produce new objects with the same id', () => {
    const { tl } = makeTimeline()
    const queued = tl.enqueue('x')
    const [pending] = tl.takeQueued()
    expect(pending).not.toBe(queued)
    expect(pending?.id).toBe(queued.id)
    tl.applyLive(live(ME, 'x'))
    const sent = tl.messages()[0]
    expect(sent).not.toBe(pending)
    expect(sent).toMatchObject({ id: queued.id, status: 'sent' })
  })

  it('a no-op does not bump the version', () => {
    const { tl } = makeTimeline()
    const v = tl.version
    tl.disconnected()
    tl.markRead()
    tl.setReadCount(0)
    expect(tl.applyLive(live('77', 'x'))).toBe('foreign')
    expect(tl.version).toBe(v)
  })
})

describe('Timeline: replays aligned as they arrive', () => {
  it('a reconnect replay updates is_read of messages it repeats, own and peer', () => {
    const { tl } = makeTimeline()
    const frames = [hist(ME, 'mine'), hist(PEER, 'theirs')]
    replay(tl, frames)
    const before = tl.messages()
    expect(before.map(m => m.isRead)).toEqual([false, false])
    expect(replay(tl, frames.map(f => ({ ...f, isRead: true })))).toEqual({ inserted: 0, confirmed: 0, requeued: 0, removed: 0 })
    const after = tl.messages()
    expect(after.map(m => m.isRead)).toEqual([true, true])
    expect(after.map(m => m.id)).toEqual(before.map(m => m.id))
    expect(tl.unreadCount).toBe(0)
  })

  it('a replay shorter than the timeline removes the tail it no longer contains', () => {
    const { tl } = makeTimeline()
    const frames = [hist(PEER, 'a'), hist(ME, 'b'), hist(PEER, 'c')]
    replay(tl, frames)
    expect(replay(tl, frames.slice(0, 2))).toEqual({ inserted: 0, confirmed: 0, requeued: 0, removed: 1 })
    expect(shape(tl)).toEqual(['2:a:sent', '1:b:sent'])
    expect(tl.peerCount).toBe(1)
  })

  it('retrying a written send during a first replay still lets the replay confirm it (sent once)', () => {
    const { tl } = makeTimeline()
    const queued = tl.enqueue('x')
    tl.takeQueued()
    tl.fail(queued.id, 'invalid_message')
    tl.beginReplay()
    tl.addReplayFrame(hist(PEER, 'a'))
    expect(tl.retry(queued.id)).toBe(true)
    tl.addReplayFrame(hist(ME, 'x'))
    expect(tl.endReplay()).toEqual({ inserted: 1, confirmed: 1, requeued: 0, removed: 0 })
    expect(tl.messages().map(m => [m.id === queued.id, m.content, m.status])).toEqual([[false, 'a', 'sent'], [true, 'x', 'sent']])
    expect(tl.takeQueued()).toEqual([])
  })

  it('a read marker moved during a replay applies to the messages it brought', () => {
    const { tl } = makeTimeline()
    tl.beginReplay()
    tl.addReplayFrame(hist(PEER, 'a'))
    tl.setReadCount(1)
    tl.addReplayFrame(hist(PEER, 'b'))
    tl.endReplay()
    expect(tl.messages().map(m => m.isRead)).toEqual([true, false])
    expect(tl.unreadCount).toBe(1)
  })

  it('a marker lowered during a replay un-reads the messages it had marked', () => {
    const { tl } = makeTimeline()
    tl.beginReplay()
    tl.setReadCount(1)
    tl.addReplayFrame(hist(PEER, 'a'))
    tl.setReadCount(0)
    tl.endReplay()
    expect(tl.messages().map(m => m.isRead)).toEqual([false])
    expect(tl.unreadCount).toBe(1)
  })

  it('nothing visible changes before endReplay()', () => {
    const { tl } = makeTimeline()
    replay(tl, [hist(PEER, 'a')])
    const shown = tl.messages()
    const v = tl.version
    tl.beginReplay()
    tl.addReplayFrame(hist(PEER, 'a', true))
    tl.addReplayFrame(hist(PEER, 'b'))
    expect(tl.messages()).toBe(shown)
    expect(tl.version).toBe(v)
    tl.endReplay()
    expect(tl.messages().map(m => [m.content, m.isRead])).toEqual([['a', true], ['b', false]])
  })
})

describe('Timeline: O(1) counters for the runtime', () => {
  it('peerCount, unreadCount and hasPending follow replays, live frames, sends and the marker', () => {
    const { tl } = makeTimeline()
    replay(tl, [hist(PEER, 'a', true), hist(ME, 'b'), hist(PEER, 'c')])
    expect([tl.peerCount, tl.unreadCount, tl.hasPending]).toEqual([2, 1, false])
    tl.applyLive(live(PEER, 'd'))
    expect([tl.peerCount, tl.unreadCount]).toEqual([3, 2])
    const sent = tl.enqueue('e')
    expect(tl.hasPending).toBe(true)
    tl.fail(sent.id, 'invalid_message')
    expect(tl.hasPending).toBe(false)
    tl.markRead()
    expect([tl.peerCount, tl.unreadCount]).toEqual([3, 0])
    expect(tl.messages().filter(m => !m.isMine).every(m => m.isRead)).toBe(true)
  })

  it('lastPeerMessages(k) gives the k newest peer messages oldest first; unsentMessage finds own unsent only', () => {
    const { tl } = makeTimeline()
    tl.applyLive(live(PEER, 'p1'))
    tl.applyLive(live(ME, 'm1'))
    tl.applyLive(live(PEER, 'p2'))
    tl.applyLive(live(PEER, 'p3'))
    expect(tl.lastPeerMessages(2).map(m => m.content)).toEqual(['p2', 'p3'])
    expect(tl.lastPeerMessages(9).map(m => m.content)).toEqual(['p1', 'p2', 'p3'])
    const queued = tl.enqueue('q')
    expect(tl.unsentMessage(queued.id)).toBe(tl.messages().at(-1))
    expect(tl.unsentMessage(tl.messages()[0]?.id ?? '')).toBeUndefined()
  })
})
