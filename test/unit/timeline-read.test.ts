import { describe, expect, it } from 'vitest'
import type { Timeline } from '../../src/core/timeline/timeline'
import { readReceiptsExtension } from '../../src/core/conversation/read-receipts'
import { hist, live, makeTimeline as makeBare, ME, PEER, replay } from './timeline-helpers'

/** A timeline with the read-receipts extension. */
const makeTimeline = () => makeBare({ readReceipts: readReceiptsExtension })

/** `content:isRead` of every message, in order. */
function reads(tl: Timeline): string[] {
  return tl.messages().map(m => `${m.content}:${m.isRead}`)
}

/** Send `texts` and receive their echoes: own stored messages. */
function sendAll(tl: Timeline, ...texts: string[]): void {
  for (const t of texts) tl.enqueue(t)
  tl.takeQueued()
  for (const t of texts) expect(tl.applyLive(live(ME, t))).toBe('echo')
}

describe('Timeline: peer read receipts', () => {
  it('marks own messages stored before the receipt read, not peer messages nor later sends', () => {
    const { tl } = makeTimeline()
    replay(tl, [hist(PEER, 'p1')])
    sendAll(tl, 'a', 'b')
    const p1 = tl.messages()[0]
    const v = tl.version
    expect(tl.markReadByPeer()).toBe(2)
    expect(tl.peerReadCount).toBe(2)
    expect(tl.version).toBeGreaterThan(v)
    expect(reads(tl)).toEqual(['p1:false', 'a:true', 'b:true'])
    // the peer message is untouched (same object), and the user's own unread count too
    expect(tl.messages()[0]).toBe(p1)
    expect(tl.unreadCount).toBe(1)
    sendAll(tl, 'c')
    expect(reads(tl)).toEqual(['p1:false', 'a:true', 'b:true', 'c:false'])
  })

  it('does not mark own sends that are not stored yet; a second receipt marks them once echoed', () => {
    const { tl } = makeTimeline()
    sendAll(tl, 'a')
    tl.enqueue('b')
    tl.takeQueued()
    tl.enqueue('q')
    expect(tl.markReadByPeer()).toBe(1)
    expect(tl.messages().map(m => `${m.content}:${m.status}:${m.isRead}`)).toEqual(['a:sent:true', 'b:pending:false', 'q:queued:false'])
    tl.applyLive(live(ME, 'b'))
    expect(reads(tl)).toEqual(['a:true', 'b:false', 'q:false'])
    expect(tl.markReadByPeer()).toBe(2)
    expect(reads(tl)).toEqual(['a:true', 'b:true', 'q:false'])
  })

  it('a repeated receipt with nothing new changes nothing', () => {
    const { tl } = makeTimeline()
    sendAll(tl, 'a')
    tl.markReadByPeer()
    const list = tl.messages()
    const v = tl.version
    expect(tl.markReadByPeer()).toBe(1)
    expect(tl.version).toBe(v)
    expect(tl.messages()).toBe(list)
  })

  it('survives replays: kept on confirmed messages, and an identical replay rebuilds nothing', () => {
    const { tl } = makeTimeline()
    const frames = [hist(ME, 'a'), hist(PEER, 'p'), hist(ME, 'b')]
    replay(tl, frames)
    tl.markReadByPeer()
    expect(reads(tl)).toEqual(['a:true', 'p:false', 'b:true'])
    const list = tl.messages()
    const v = tl.version
    // the server's is_read stays false for own messages: that must not count as a change
    replay(tl, frames)
    expect(tl.version).toBe(v)
    expect(tl.messages()).toBe(list)
    // an echo confirmed later by a replay (server time differs) keeps its receipt
    sendAll(tl, 'c')
    tl.markReadByPeer()
    replay(tl, [...frames, hist(ME, 'c')])
    expect(reads(tl)).toEqual(['a:true', 'p:false', 'b:true', 'c:true'])
    expect(tl.messages().every(m => m.serverTime)).toBe(true)
  })

  it('a restored count applies to the first own messages of the replay (after a reload)', () => {
    const { tl } = makeTimeline()
    tl.setPeerReadCount(2)
    expect(tl.peerReadCount).toBe(2)
    replay(tl, [hist(ME, 'a'), hist(PEER, 'p'), hist(ME, 'b'), hist(ME, 'c')])
    expect(reads(tl)).toEqual(['a:true', 'p:false', 'b:true', 'c:false'])
  })

  it('a too-early empty first replay keeps a restored count; the resync applies it', () => {
    const { tl } = makeTimeline()
    tl.setPeerReadCount(1)
    replay(tl, [])
    expect(tl.peerReadCount).toBe(1)
    replay(tl, [hist(ME, 'a'), hist(ME, 'b')])
    expect(reads(tl)).toEqual(['a:true', 'b:false'])
  })

  it('a restored count never covers own messages sent after the reload (server history without them)', () => {
    // non-empty replay holding none of the counted own messages: the count is proven wrong at once
    const { tl } = makeTimeline()
    tl.setPeerReadCount(3)
    replay(tl, [hist(PEER, 'p')])
    expect(tl.peerReadCount).toBe(0)
    sendAll(tl, 'x', 'y', 'z')
    replay(tl, [hist(PEER, 'p'), hist(ME, 'x'), hist(ME, 'y'), hist(ME, 'z')])
    expect(reads(tl)).toEqual(['p:false', 'x:false', 'y:false', 'z:false'])
  })

  it('after an empty replay, an own message stored live caps a restored count at the messages before it', () => {
    const { tl } = makeTimeline()
    tl.setPeerReadCount(3)
    replay(tl, [])
    sendAll(tl, 'x', 'y', 'z')
    expect(tl.peerReadCount).toBe(0)
    replay(tl, [hist(ME, 'x'), hist(ME, 'y'), hist(ME, 'z')])
    expect(reads(tl)).toEqual(['x:false', 'y:false', 'z:false'])
  })

  it('a replay with fewer own messages than the last one (server lost some) lowers the count', () => {
    const { tl } = makeTimeline()
    const a = hist(ME, 'a')
    const b = hist(ME, 'b')
    const c = hist(ME, 'c')
    replay(tl, [a, b, c])
    tl.markReadByPeer()
    replay(tl, [a, b])
    expect(tl.peerReadCount).toBe(2)
    sendAll(tl, 'd')
    replay(tl, [a, b, hist(ME, 'd')])
    expect(reads(tl)).toEqual(['a:true', 'b:true', 'd:false'])
  })

  it('an echoed message the next replay lacks (lost by the server) lowers the count: a later send stays unread', () => {
    const { tl } = makeTimeline()
    const a = hist(ME, 'a')
    replay(tl, [a])
    sendAll(tl, 'b')
    expect(tl.markReadByPeer()).toBe(2)
    replay(tl, [a])
    expect(tl.peerReadCount).toBe(1)
    expect(reads(tl)).toEqual(['a:true'])
    sendAll(tl, 'c')
    replay(tl, [a, hist(ME, 'c')])
    expect(reads(tl)).toEqual(['a:true', 'c:false'])
  })

  it('keeps the server is_read of own messages beyond the count', () => {
    const { tl } = makeTimeline()
    replay(tl, [hist(ME, 'a'), hist(ME, 'b', true)])
    tl.setPeerReadCount(1)
    expect(reads(tl)).toEqual(['a:true', 'b:true'])
    tl.setPeerReadCount(0)
    expect(reads(tl)).toEqual(['a:false', 'b:true'])
  })

  it('is independent of the own read marker', () => {
    const { tl } = makeTimeline()
    replay(tl, [hist(PEER, 'p'), hist(ME, 'a')])
    tl.markRead()
    expect(reads(tl)).toEqual(['p:true', 'a:false'])
    tl.markReadByPeer()
    tl.setReadCount(0)
    expect(reads(tl)).toEqual(['p:false', 'a:true'])
    expect(tl.unreadCount).toBe(1)
  })

  it('ignores invalid restored counts', () => {
    const { tl } = makeTimeline()
    replay(tl, [hist(ME, 'a')])
    for (const bad of [-3, Number.NaN, Number.POSITIVE_INFINITY, 0]) {
      tl.setPeerReadCount(bad)
      expect(tl.peerReadCount).toBe(0)
      expect(reads(tl)).toEqual(['a:false'])
    }
    tl.setPeerReadCount(1.7)
    expect(tl.peerReadCount).toBe(1)
  })

  it('without the extension, receipts change nothing', () => {
    const { tl } = makeBare()
    replay(tl, [hist(PEER, 'p1')])
    sendAll(tl, 'a', 'b')
    const before = tl.messages()
    tl.setPeerReadCount(2)
    expect(tl.markReadByPeer()).toBe(0)
    expect(tl.peerReadCount).toBe(0)
    expect(tl.messages()).toBe(before)
    expect(reads(tl)).toEqual(['p1:false', 'a:false', 'b:false'])
  })
})
