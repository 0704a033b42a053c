// Review: the read marker's in-place id set keeps the ids of messages an aborted replay built ahead.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Timeline } from '../../src/core/timeline/timeline'
import { hist, ME, PEER } from './timeline-helpers'

async function loadOld(): Promise<typeof Timeline> {
  const src = execFileSync('git', ['show', 'fcedfee:src/core/timeline/timeline.ts'], { cwd: join(__dirname, '../..') }).toString()
  const dir = mkdtempSync(join(tmpdir(), 'review-tl-'))
  writeFileSync(join(dir, 'old-timeline.ts'), src)
  return (await import(/* @vite-ignore */ join(dir, 'old-timeline.ts'))).Timeline
}

/** Size, after `f`, of the last Set a string id was added to (the marker's set is private: watch Set.prototype.add). */
function liveIdSet(f: () => void): number {
  let last: Set<unknown> | null = null
  const add = Set.prototype.add
  Set.prototype.add = function (this: Set<unknown>, v: unknown) {
    if (typeof v === 'string') last = this
    return add.call(this, v)
  }
  try {
    f()
  }
  finally {
    Set.prototype.add = add
  }
  return (last as Set<unknown> | null)?.size ?? 0
}

/** Reload with a read marker, then a replay of N peer messages that the socket drop aborts, `aborts` times; then one that completes. */
function flakyReplays(C: typeof Timeline, n: number, aborts: number): number {
  const frames = Array.from({ length: n }, (_, i) => hist(PEER, `m${i}`))
  let ids = 0
  const tl = new C({ selfId: ME, peerId: PEER, now: () => 0, newId: () => `x${ids++}` })
  return liveIdSet(() => {
    tl.setReadCount(n)
    for (let k = 0; k < aborts; k++) {
      tl.beginReplay()
      for (const f of frames) tl.addReplayFrame(f)
      tl.disconnected()
    }
    tl.beginReplay()
    for (const f of frames) tl.addReplayFrame(f)
    tl.endReplay()
    expect(tl.messages()).toHaveLength(n)
    expect(tl.unreadCount).toBe(0)
  })
}

describe('review: read marker id set', () => {
  it('old: one id per marker-read message; new: the ids of every aborted replay stay forever', async () => {
    const Old = await loadOld()
    expect(flakyReplays(Old, 1000, 10)).toBe(1000)
    expect(flakyReplays(Timeline, 1000, 10)).toBe(1000)
  })
})
