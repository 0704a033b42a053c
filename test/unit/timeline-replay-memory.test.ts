import { describe, expect, it } from 'vitest'
import { Timeline } from '../../src/core/timeline/timeline'
import { hist, ME, PEER } from './timeline-helpers'

/** Size of the last Set a string id was added to while `f` ran (the read marker's set is private). */
function lastIdSetSize(f: () => void): number {
  const seen: Array<Set<unknown>> = []
  const add = Set.prototype.add
  Set.prototype.add = function (this: Set<unknown>, v: unknown) {
    if (typeof v === 'string') seen.push(this)
    return add.call(this, v)
  }
  try {
    f()
  }
  finally {
    Set.prototype.add = add
  }
  return seen.at(-1)?.size ?? 0
}

describe('replays that end early', () => {
  it('leave no ids behind in the read marker: one id per marker-read message after ten aborted replays', () => {
    const n = 1000
    const frames = Array.from({ length: n }, (_, i) => hist(PEER, `m${i}`))
    let ids = 0
    const tl = new Timeline({ selfId: ME, peerId: PEER, now: () => 0, newId: () => `x${ids++}` })
    const size = lastIdSetSize(() => {
      tl.setReadCount(n)
      for (let k = 0; k < 10; k++) {
        tl.beginReplay()
        for (const f of frames) tl.addReplayFrame(f)
        tl.disconnected()
      }
      tl.beginReplay()
      for (const f of frames) tl.addReplayFrame(f)
      tl.endReplay()
    })
    expect(tl.messages()).toHaveLength(n)
    expect(tl.unreadCount).toBe(0)
    expect(size).toBe(n)
  })
})

describe('a replay that only reorders', () => {
  it('changes the snapshot: server order and server times', () => {
    let t = Date.UTC(2026, 0, 1)
    const tl = new Timeline({ selfId: ME, peerId: PEER, now: () => t })
    // Live order p, o; the server stored o before p (store and broadcast interleave across workers).
    tl.applyLive({ kind: 'live', senderId: PEER, content: 'p' })
    tl.applyLive({ kind: 'live', senderId: ME, content: 'o' })
    t += 1000
    const before = tl.messages()
    const version = tl.version
    tl.beginReplay()
    tl.addReplayFrame(hist(ME, 'o'))
    tl.addReplayFrame(hist(PEER, 'p'))
    expect(tl.endReplay()).toEqual({ inserted: 0, confirmed: 0, requeued: 0, removed: 0 })
    expect(tl.version).not.toBe(version)
    expect(tl.messages()).not.toBe(before)
    expect(tl.messages().map(m => `${m.content}:${m.serverTime}`)).toEqual(['o:true', 'p:true'])
    // Ids stay: a keyed list moves the rows, it does not re-create them.
    expect(tl.messages().map(m => m.id).sort()).toEqual(before.map(m => m.id).sort())
  })
})

describe('markRead before the history is in', () => {
  it('never lowers the read marker (an app marking read on mount keeps what was read)', () => {
    const tl = new Timeline({ selfId: ME, peerId: PEER, now: () => 0 })
    tl.setReadCount(5)
    tl.markRead()
    expect(tl.readCount).toBe(5)
    tl.beginReplay()
    for (let i = 0; i < 7; i++) tl.addReplayFrame(hist(PEER, `m${i}`))
    tl.endReplay()
    expect(tl.unreadCount).toBe(2)
    tl.markRead()
    expect([tl.readCount, tl.unreadCount]).toEqual([7, 0])
  })
})
