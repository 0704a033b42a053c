/**
 * The first-frame wait learnt from earlier replays: quick for a conversation that was empty, a
 * margin over the server's time to the first frame otherwise, bounded, and robust to bad storage.
 */
import { describe, expect, it } from 'vitest'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import { firstFrameWait, rememberReplay } from '../../src/core/persistence/replay-memory'
import { storageKeys } from '../../src/core/persistence/storage-keys'
import { REPLAY_FIRST_FRAME_MS } from '../../src/core/transport/replay-end'
import type { StorageAdapter } from '../../src/core/types'

const QUIET = 300
const KEY = storageKeys('vrc').replay('1')
const stats = (frames: number, firstFrameMs: number | null) => ({ frames, durationMs: 0, firstFrameMs })

describe('replay memory', () => {
  it('knows nothing: twice a quiet period past the quiet period', () => {
    expect(firstFrameWait(createMemoryStorage(), KEY, '2', QUIET, false)).toBe(3 * QUIET)
  })

  it('a conversation empty last time waits one quiet period, unless it shows messages now', () => {
    const storage = createMemoryStorage()
    rememberReplay(storage, KEY, '2', stats(0, null))
    expect(firstFrameWait(storage, KEY, '2', QUIET, false)).toBe(QUIET)
    expect(firstFrameWait(storage, KEY, '2', QUIET, true)).toBe(3 * QUIET)
    expect(firstFrameWait(storage, KEY, '3', QUIET, false)).toBe(3 * QUIET)
    // it had history this time: no longer quick
    rememberReplay(storage, KEY, '2', stats(5, 40))
    expect(firstFrameWait(storage, KEY, '2', QUIET, false)).toBe(QUIET + 80)
  })

  it('learns the server\'s time to the first frame, capped; a conversation never replayed here waits at most three quiet periods', () => {
    const storage = createMemoryStorage()
    rememberReplay(storage, KEY, '2', stats(10_000, 420))
    expect(firstFrameWait(storage, KEY, '2', QUIET, false)).toBe(QUIET + 840)
    expect(firstFrameWait(storage, KEY, '3', QUIET, false)).toBe(3 * QUIET)
    expect(firstFrameWait(storage, KEY, '3', QUIET, true)).toBe(QUIET + 840)
    rememberReplay(storage, KEY, '2', stats(10_000, 5000))
    expect(firstFrameWait(storage, KEY, '2', QUIET, false)).toBe(REPLAY_FIRST_FRAME_MS)
    // never less than the quiet period, even past the cap
    expect(firstFrameWait(storage, KEY, '2', 3000, false)).toBe(3000)
    // a fast server shortens the wait of unknown conversations too
    const fast = createMemoryStorage()
    rememberReplay(fast, KEY, '2', stats(3, 20))
    expect(firstFrameWait(fast, KEY, '3', QUIET, false)).toBe(QUIET + 40)
  })

  it('one slow first frame fades over the next replays instead of setting the wait for good', () => {
    const storage = createMemoryStorage()
    rememberReplay(storage, KEY, '2', stats(1, 800))
    const waits = [firstFrameWait(storage, KEY, '2', QUIET, false)]
    for (let i = 0; i < 4; i++) {
      rememberReplay(storage, KEY, '2', stats(1, 20))
      waits.push(firstFrameWait(storage, KEY, '2', QUIET, false))
    }
    expect(waits).toEqual([1900, 1500, 1200, 976, 808])
    // a replay without frames leaves the estimate alone
    rememberReplay(storage, KEY, '3', stats(0, null))
    expect(firstFrameWait(storage, KEY, '2', QUIET, false)).toBe(808)
  })

  it('unreadable, foreign or refused storage only falls back to the default wait', () => {
    const storage = createMemoryStorage()
    for (const junk of ['{', 'null', '[1,2]', '{"t":"x","p":"2"}', '{"t":-50,"p":[1]}', '{"p":{"2":"yes"}}']) {
      storage.setItem(KEY, junk)
      expect(firstFrameWait(storage, KEY, '2', QUIET, false)).toBe(3 * QUIET)
      rememberReplay(storage, KEY, '2', stats(0, null))
      expect(firstFrameWait(storage, KEY, '2', QUIET, false)).toBe(QUIET)
    }
    const broken: StorageAdapter = {
      getItem: () => {
        throw new Error('denied')
      },
      setItem: () => {
        throw new Error('denied')
      },
      removeItem: () => {},
    }
    expect(() => rememberReplay(broken, KEY, '2', stats(3, 100))).not.toThrow()
    expect(firstFrameWait(broken, KEY, '2', QUIET, false)).toBe(3 * QUIET)
  })

  it('writes only when something changed', () => {
    const storage = createMemoryStorage()
    let writes = 0
    const counting: StorageAdapter = { ...storage, setItem: (k, v) => {
      writes++
      storage.setItem(k, v)
    } }
    rememberReplay(counting, KEY, '2', stats(0, null))
    rememberReplay(counting, KEY, '2', stats(0, null))
    expect(writes).toBe(1)
  })
})
