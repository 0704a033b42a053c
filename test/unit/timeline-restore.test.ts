import { describe, expect, it } from 'vitest'
import type { OutboxEntry } from '../../src/core/timeline/timeline'
import { hist, live, makeTimeline, ME, PEER, replay, shape } from './timeline-helpers'

const entry = (id: string, createdAt: number, over: Partial<OutboxEntry> = {}): OutboxEntry =>
  ({ id, content: id, createdAt, status: 'queued', priorOccurrences: null, ...over })

describe('Timeline.restore: malformed times', () => {
  it('skips entries whose createdAt a Date cannot hold, keeps the valid ones, never throws', () => {
    const { tl } = makeTimeline()
    const entries = [
      entry('huge', 1e300),
      entry('past-max', 8.64e15 + 1),
      entry('before-min', -8.64e15 - 1),
      entry('nan', Number.NaN),
      entry('inf', Number.POSITIVE_INFINITY),
      { ...entry('text', 0), createdAt: '2026-01-01' } as unknown as OutboxEntry,
      entry('edge', 8.64e15),
      entry('ok', Date.UTC(2026, 0, 1)),
    ]
    expect(() => tl.restore(entries)).not.toThrow()
    expect(tl.messages().map(m => m.content)).toEqual(['edge', 'ok'])
    expect(tl.messages()[0]?.createdAt).toBe(new Date(8.64e15).toISOString())
  })
})

describe('Timeline.restore: text no server stores', () => {
  it('comes back failed (invalid_message), never queued for a write; well-formed text is untouched', () => {
    const { tl } = makeTimeline()
    tl.restore([
      entry('nul', 1, { content: 'a\u0000b' }),
      entry('lone', 2, { content: 'x\uD83D', status: 'pending', priorOccurrences: 0 }),
      entry('pair', 3, { content: 'ok \uD83D\uDE00' }),
      entry('gave-up', 4, { content: '\uDE00', status: 'failed', error: 'max_attempts' }),
    ])
    expect(tl.messages().map(m => [m.id, m.status, m.error])).toEqual([
      ['nul', 'failed', 'invalid_message'],
      ['lone', 'failed', 'invalid_message'],
      ['pair', 'queued', undefined],
      ['gave-up', 'failed', 'max_attempts'],
    ])
    expect(tl.takeQueued().map(m => m.id)).toEqual(['pair'])
  })
})

describe('Timeline.replayState', () => {
  it('is short until a replay holds as many messages as the last completed one', () => {
    const { tl } = makeTimeline()
    replay(tl, [hist(PEER, 'hello'), hist(ME, 'hi')])
    tl.beginReplay()
    expect(tl.replayState()).toBe('short')
    tl.addReplayFrame(hist(PEER, 'hello'))
    expect(tl.replayState()).toBe('short')
    tl.addReplayFrame(hist(ME, 'hi'))
    expect(tl.replayState()).toBe('complete')
    tl.endReplay()
    expect(shape(tl)).toEqual(['2:hello:sent', '1:hi:sent'])
  })

  it('is unproven while nothing arrived and an own send awaits proof', () => {
    const { tl } = makeTimeline()
    tl.beginReplay()
    expect(tl.replayState()).toBe('complete')
    tl.endReplay()
    tl.restore([entry('x', Date.UTC(2026, 0, 1), { status: 'pending', priorOccurrences: 0 })])
    tl.beginReplay()
    expect(tl.replayState()).toBe('unproven')
    tl.addReplayFrame(hist(ME, 'x'))
    expect(tl.replayState()).toBe('complete')
  })
})

describe('Timeline.restore into a timeline that already shows the message', () => {
  it('an own history message past the restored send\'s known occurrences is that send: it is not resent', () => {
    const { tl } = makeTimeline()
    const frames = [hist(ME, 'hi'), hist(PEER, 'yo'), hist(ME, 'hi')]
    replay(tl, frames)
    // Written when 1 'hi' was stored (another tab's, or a page whose storage was unreadable meanwhile).
    tl.restore([entry('tab:1', 5, { content: 'hi', status: 'pending', priorOccurrences: 1 })])
    expect(tl.outbox()).toEqual([])
    expect(tl.messages().map(m => m.id)[2]).toBe('tab:1')
    replay(tl, frames)
    expect(shape(tl)).toEqual([`${ME}:hi:sent`, `${PEER}:yo:sent`, `${ME}:hi:sent`])
    expect(tl.takeQueued()).toEqual([])
  })

  it('a copy it knew of, or one this timeline sent itself, explains nothing: the replay still decides', () => {
    const { tl, clock } = makeTimeline()
    replay(tl, [hist(ME, 'hi')])
    clock.advance(60_000)
    tl.enqueue('hi')
    tl.takeQueued()
    tl.applyLive(live(ME, 'hi'))
    // Knew of 1 stored 'hi'; the 2nd is this timeline's own send.
    tl.restore([entry('tab:1', 5, { content: 'hi', status: 'pending', priorOccurrences: 1 })])
    expect(tl.outbox().map(e => [e.id, e.status])).toEqual([['tab:1', 'unknown']])
  })
})
