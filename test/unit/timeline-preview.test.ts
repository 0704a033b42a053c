import { describe, expect, it } from 'vitest'
import { showCachedHistory, storedHistory } from '../../src/core/timeline/cached-history'
import type { OutboxEntry } from '../../src/core/timeline/timeline'
import { hist, live, makeTimeline, ME, PEER, replay, shape } from './timeline-helpers'

const ids = (list: readonly { id: string }[]) => list.map(m => m.id)
const unique = (list: readonly { id: string }[]) => new Set(ids(list)).size === list.length

describe('first replay on an empty timeline: shown as it arrives', () => {
  it('shows each frame at once, in server order, and the replay\'s end keeps ids and objects', () => {
    const { tl } = makeTimeline()
    const frames = [hist(PEER, 'a'), hist(ME, 'b'), hist(PEER, 'a')]
    tl.beginReplay()
    expect(tl.source).toBe('replay')
    const seen: number[] = []
    for (const f of frames) {
      const v = tl.version
      tl.addReplayFrame(f)
      expect(tl.version).toBeGreaterThan(v)
      seen.push(tl.messages().length)
    }
    expect(seen).toEqual([1, 2, 3])
    const during = tl.messages()
    tl.endReplay()
    expect(shape(tl)).toEqual([`${PEER}:a:sent`, `${ME}:b:sent`, `${PEER}:a:sent`])
    tl.messages().forEach((m, k) => expect(m).toBe(during[k]))
  })

  it('is not progressive when the timeline already shows messages: the previous view stays until the end', () => {
    const { tl } = makeTimeline()
    replay(tl, [hist(PEER, 'a')])
    const before = tl.messages()
    tl.beginReplay()
    tl.addReplayFrame(hist(PEER, 'a'))
    tl.addReplayFrame(hist(PEER, 'new'))
    expect(tl.messages()).toBe(before)
    tl.endReplay()
    expect(shape(tl)).toEqual([`${PEER}:a:sent`, `${PEER}:new:sent`])
  })

  it('a replay the socket cut off stays shown, and the next replay keeps its ids and objects', () => {
    const { tl } = makeTimeline()
    const frames = [hist(PEER, 'a'), hist(ME, 'b'), hist(PEER, 'c')]
    tl.beginReplay()
    tl.addReplayFrame(frames[0]!)
    tl.addReplayFrame(frames[1]!)
    tl.disconnected()
    const shown = tl.messages()
    expect(shown).toHaveLength(2)
    tl.beginReplay()
    for (const f of frames) tl.addReplayFrame(f)
    expect(tl.messages()).toBe(shown)
    tl.endReplay()
    const after = tl.messages()
    expect(after).toHaveLength(3)
    expect(after[0]).toBe(shown[0])
    expect(after[1]).toBe(shown[1])
    expect(unique(after)).toBe(true)
  })
})

describe('cached history', () => {
  it('is shown before the socket opens, and the replay keeps every message it still holds (identical texts included)', () => {
    const { tl } = makeTimeline()
    const cached = [hist(PEER, 'hi'), hist(ME, 'ok'), hist(ME, 'ok'), hist(PEER, 'gone')]
    expect(tl.source).toBe('none')
    expect(showCachedHistory(tl, cached)).toBe(true)
    expect(tl.source).toBe('cache')
    expect(shape(tl)).toEqual([`${PEER}:hi:sent`, `${ME}:ok:sent`, `${ME}:ok:sent`, `${PEER}:gone:sent`])
    expect(tl.unreadCount).toBe(2)
    expect(tl.peerCount).toBe(0)
    const shown = tl.messages()
    tl.beginReplay()
    for (const f of [cached[0]!, cached[1]!, cached[2]!, hist(PEER, 'new')]) tl.addReplayFrame(f)
    expect(tl.messages()).toBe(shown)
    expect(tl.source).toBe('cache')
    tl.endReplay()
    expect(tl.source).toBe('replay')
    const after = tl.messages()
    expect(shape(tl)).toEqual([`${PEER}:hi:sent`, `${ME}:ok:sent`, `${ME}:ok:sent`, `${PEER}:new:sent`])
    for (let k = 0; k < 3; k++) expect(after[k]).toBe(shown[k])
    expect(ids(after)).not.toContain(shown[3]!.id)
    expect(unique(after)).toBe(true)
    expect(tl.unreadCount).toBe(2)
  })

  it('an unchanged history: the replay changes no message object', () => {
    const { tl } = makeTimeline()
    const cached = Array.from({ length: 50 }, (_, i) => hist(i % 3 ? PEER : ME, `m${i % 4}`))
    showCachedHistory(tl, cached)
    const shown = tl.messages()
    replay(tl, cached)
    tl.messages().forEach((m, k) => expect(m).toBe(shown[k]))
  })

  it('never takes the place of an unsent message: a restored send the replay holds once is confirmed, not resent', () => {
    const { tl } = makeTimeline()
    const stored = hist(ME, 'x')
    // The cache already holds the send's stored copy; the outbox still has it (its removal never got written).
    const entry: OutboxEntry = { id: 'out1', content: 'x', createdAt: Date.parse(stored.timestamp) - 10, status: 'pending', priorOccurrences: 0 }
    tl.restore([entry])
    showCachedHistory(tl, [hist(PEER, 'before'), stored])
    // Shown once while the replay runs: the unsent copy stands in for the cached one.
    expect(shape(tl)).toEqual([`${PEER}:before:sent`, `${ME}:x:unknown`])
    replay(tl, [stored])
    expect(shape(tl)).toEqual([`${ME}:x:sent`])
    expect(tl.takeQueued()).toEqual([])
    expect(unique(tl.messages())).toBe(true)
  })

  it('a retry while the replay runs keeps the ids of the cached messages the replay holds', () => {
    const { tl } = makeTimeline()
    const a = hist(PEER, 'a')
    // A send that gave up after its attempts: its retry needs the replay's proof that it is not stored.
    const gaveUp: OutboxEntry = { id: 'out1', content: 'x', createdAt: Date.parse(a.timestamp) + 10, status: 'failed', priorOccurrences: 0, error: 'max_attempts' }
    tl.restore([gaveUp])
    showCachedHistory(tl, [a])
    const [cached] = tl.messages()
    tl.beginReplay()
    tl.addReplayFrame(a)
    expect(tl.retry('out1')).toBe(true)
    tl.endReplay()
    expect(shape(tl)).toEqual([`${PEER}:a:sent`, `${ME}:x:queued`])
    expect(tl.messages()[0]).toBe(cached)
  })

  it('is ignored once a replay ended (even an empty one) or the running replay has frames', () => {
    const empty = makeTimeline().tl
    replay(empty, [])
    expect(showCachedHistory(empty, [hist(PEER, 'old')])).toBe(false)
    expect(empty.messages()).toEqual([])

    const { tl } = makeTimeline()
    tl.beginReplay()
    tl.addReplayFrame(hist(PEER, 'a'))
    expect(showCachedHistory(tl, [hist(PEER, 'old')])).toBe(false)
    expect(shape(tl)).toEqual([`${PEER}:a:sent`])
  })

  it('arriving after the socket opened but before any frame, it is shown until the replay ends', () => {
    const { tl } = makeTimeline()
    const cached = [hist(PEER, 'a'), hist(PEER, 'b')]
    tl.beginReplay()
    expect(showCachedHistory(tl, cached)).toBe(true)
    const shown = tl.messages()
    tl.addReplayFrame(cached[0]!)
    expect(tl.messages()).toBe(shown)
    tl.endReplay()
    expect(shape(tl)).toEqual([`${PEER}:a:sent`])
    expect(tl.messages()[0]).toBe(shown[0])
  })

  it('applies the read marker to what it shows, and a live frame after the replay is counted once', () => {
    const { tl } = makeTimeline()
    tl.setReadCount(1)
    const cached = [hist(PEER, 'a'), hist(PEER, 'b')]
    showCachedHistory(tl, cached)
    expect(tl.messages().map(m => m.isRead)).toEqual([true, false])
    expect(tl.unreadCount).toBe(1)
    replay(tl, cached)
    tl.applyLive(live(PEER, 'c'))
    expect(tl.unreadCount).toBe(2)
    expect(storedHistory(tl)?.map(f => f.content)).toEqual(['a', 'b'])
  })
})
