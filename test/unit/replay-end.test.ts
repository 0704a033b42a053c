/**
 * End-of-replay detection on fake timers: when a replay counts as over, how long an empty one is
 * waited on, the stall and cut-off paths, and when history after the end continues the replay.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  createReplayEnd,
  MAX_SHORT_REPLAYS,
  REPLAY_FIRST_FRAME_MS,
  REPLAY_STALL_MS,
  type ReplayEndReason,
  type ReplayStats,
} from '../../src/core/transport/replay-end'
import type { Scheduler } from '../../src/core/types'

const QUIET = 300

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 })
})
afterEach(() => {
  vi.useRealTimers()
})

function setup(options: { maxReplayFrames?: number, maxReplayMs?: number } = {}) {
  let timers = 0
  const scheduler: Scheduler = {
    now: () => Date.now(),
    setTimeout: (fn, ms) => {
      timers++
      return setTimeout(fn, ms)
    },
    clearTimeout: handle => clearTimeout(handle as ReturnType<typeof setTimeout>),
  }
  const ends: Array<{ reason: ReplayEndReason, stats: ReplayStats, at: number }> = []
  let stalls = 0
  let state: 'complete' | 'short' | 'unproven' = 'complete'
  const replay = createReplayEnd(
    { scheduler, replayQuietMs: QUIET, maxReplayFrames: options.maxReplayFrames ?? 1000, maxReplayMs: options.maxReplayMs ?? 60_000 },
    {
      state: () => state,
      end: (reason, stats) => ends.push({ reason, stats, at: Date.now() }),
      stalled: () => stalls++,
    },
  )
  const started = Date.now()
  return {
    replay,
    ends,
    stalls: () => stalls,
    timers: () => timers,
    setState: (s: typeof state) => {
      state = s
    },
    /** Ms since setup. */
    elapsed: (at: number) => at - started,
  }
}

describe('replay end: frames, then a quiet period', () => {
  it('ends one quiet period after the last frame, with what the replay took', () => {
    const { replay, ends, elapsed } = setup()
    replay.begin(2 * QUIET)
    vi.advanceTimersByTime(120)
    for (let i = 0; i < 5; i++) {
      expect(replay.frame()).toBeNull()
      vi.advanceTimersByTime(100)
    }
    // last frame at 520 ms
    vi.advanceTimersByTime(QUIET - 101)
    expect(ends).toEqual([])
    vi.advanceTimersByTime(1)
    expect(ends).toHaveLength(1)
    expect(ends[0]?.reason).toBe('quiet')
    expect(elapsed(ends[0]!.at)).toBe(520 + QUIET)
    expect(ends[0]?.stats).toEqual({ frames: 5, durationMs: 520 + QUIET, firstFrameMs: 120 })
  })

  it('a live frame ends it at once', () => {
    const { replay, ends } = setup()
    replay.begin(QUIET)
    replay.frame()
    vi.advanceTimersByTime(10)
    replay.live()
    expect(ends.map(e => e.reason)).toEqual(['live_frame'])
    vi.advanceTimersByTime(10 * QUIET)
    expect(ends).toHaveLength(1)
  })

  it('re-arms a handful of timers for a long burst, not one per frame', () => {
    const { replay, ends, timers } = setup({ maxReplayFrames: 1e6 })
    replay.begin(QUIET)
    for (let i = 0; i < 10_000; i++) {
      replay.frame()
      if (i % 100 === 0) vi.advanceTimersByTime(1)
    }
    vi.advanceTimersByTime(QUIET)
    expect(ends.map(e => e.reason)).toEqual(['quiet'])
    expect(timers()).toBeLessThan(10)
  })

  it('the wall clock going back after a frame costs one quiet period, not the step', () => {
    const { replay, ends } = setup()
    replay.begin(QUIET)
    replay.frame()
    vi.setSystemTime(Date.now() - 60_000)
    vi.advanceTimersByTime(2 * QUIET + 1)
    expect(ends.map(e => e.reason)).toEqual(['quiet'])
  })
})

describe('replay end: a quiet period that proved too short', () => {
  it('doubles for the next replays once history came after a quiet end, up to the stall bound', () => {
    const { replay, ends } = setup()
    let frames = 0
    /** A replay one frame longer than the last (a shorter one would be a stall): its quiet period. */
    const quietOf = (): number => {
      replay.begin(QUIET)
      frames++
      for (let i = 0; i < frames; i++) replay.frame()
      const at = Date.now()
      vi.advanceTimersByTime(10 * REPLAY_STALL_MS)
      return ends.at(-1)!.at - at
    }
    expect(quietOf()).toBe(QUIET)
    // More history after that end: it was a stall, not the end.
    expect(replay.late()).toBe(false)
    expect(quietOf()).toBe(2 * QUIET)
    replay.late()
    expect(quietOf()).toBe(4 * QUIET)
    for (let i = 0; i < 4; i++) {
      replay.late()
      quietOf()
    }
    replay.late()
    expect(quietOf()).toBe(REPLAY_STALL_MS)
    expect(ends.every(e => e.reason === 'quiet')).toBe(true)
    // Quiet ends nothing contradicted (the next replay came, no late history): back halfway each time.
    expect(quietOf()).toBe(REPLAY_STALL_MS / 2)
    expect(quietOf()).toBe(REPLAY_STALL_MS / 4)
  })

  it('the next replay confirms a quiet end no late history contradicted; an empty replay keeps the plain quiet period', () => {
    const { replay, ends } = setup()
    /** A replay of `n` frames: how long after its last frame it ended. */
    const quietOf = (n: number): number => {
      replay.begin(QUIET)
      for (let i = 0; i < n; i++) replay.frame()
      const at = Date.now()
      vi.advanceTimersByTime(10 * REPLAY_STALL_MS)
      return ends.at(-1)!.at - at
    }
    quietOf(1)
    replay.late()
    expect(quietOf(2)).toBe(2 * QUIET)
    replay.late()
    expect(quietOf(3)).toBe(4 * QUIET)
    // The next replay confirms that end (back to 2 × QUIET), and one with no frame waits the plain period.
    expect(quietOf(0)).toBe(QUIET)
    expect(ends.at(-1)?.reason).toBe('no_history')
    expect(quietOf(4)).toBe(2 * QUIET)
    // Our writes after an end are live traffic too: they prove nothing, late history still counts.
    replay.live()
    replay.late()
    expect(quietOf(5)).toBe(4 * QUIET)
    expect(quietOf(6)).toBe(2 * QUIET)
  })

  it('a replay ended by a live frame teaches nothing', () => {
    const { replay, ends } = setup()
    replay.begin(QUIET)
    replay.frame()
    replay.live()
    expect(replay.late()).toBe(false)
    replay.begin(QUIET)
    replay.frame()
    replay.frame()
    vi.advanceTimersByTime(QUIET)
    expect(ends.map(e => e.reason)).toEqual(['live_frame', 'quiet'])
  })
})

describe('replay end: no frame at all', () => {
  it('waits the first-frame wait it was given, not only the quiet period', () => {
    const { replay, ends, elapsed } = setup()
    replay.begin(900)
    vi.advanceTimersByTime(899)
    expect(ends).toEqual([])
    vi.advanceTimersByTime(1)
    expect(ends.map(e => e.reason)).toEqual(['no_history'])
    expect(elapsed(ends[0]!.at)).toBe(900)
    expect(ends[0]?.stats).toEqual({ frames: 0, durationMs: 900, firstFrameMs: null })
  })

  it('with a first-frame wait of one quiet period (empty last time) it goes live after the quiet period', () => {
    const { replay, ends, elapsed } = setup()
    replay.begin(QUIET)
    vi.advanceTimersByTime(QUIET)
    expect(ends.map(e => e.reason)).toEqual(['no_history'])
    expect(elapsed(ends[0]!.at)).toBe(QUIET)
  })

  it('a first frame within the wait turns it into an ordinary replay', () => {
    const { replay, ends, elapsed } = setup()
    replay.begin(900)
    vi.advanceTimersByTime(700)
    replay.frame()
    vi.advanceTimersByTime(QUIET)
    expect(ends.map(e => e.reason)).toEqual(['quiet'])
    expect(elapsed(ends[0]!.at)).toBe(700 + QUIET)
    expect(ends[0]?.stats.firstFrameMs).toBe(700)
  })

  it('while own sends await proof (unproven) it waits REPLAY_FIRST_FRAME_MS, whatever it was given', () => {
    const { replay, ends, setState, elapsed } = setup()
    setState('unproven')
    replay.begin(QUIET)
    vi.advanceTimersByTime(REPLAY_FIRST_FRAME_MS - 1)
    expect(ends).toEqual([])
    vi.advanceTimersByTime(1)
    expect(ends.map(e => e.reason)).toEqual(['no_history'])
    expect(elapsed(ends[0]!.at)).toBe(REPLAY_FIRST_FRAME_MS)
  })
})

describe('replay end: short replays and cut-offs', () => {
  it('a short replay stalls for REPLAY_STALL_MS, and the MAX_SHORT_REPLAYS-th in a row is accepted', () => {
    const { replay, ends, stalls, setState } = setup()
    setState('short')
    for (let k = 1; k < MAX_SHORT_REPLAYS; k++) {
      replay.begin(QUIET)
      replay.frame()
      vi.advanceTimersByTime(REPLAY_STALL_MS - 1)
      expect(stalls()).toBe(k - 1)
      vi.advanceTimersByTime(1)
      expect(stalls()).toBe(k)
    }
    replay.begin(QUIET)
    replay.frame()
    vi.advanceTimersByTime(REPLAY_STALL_MS)
    expect(stalls()).toBe(MAX_SHORT_REPLAYS - 1)
    expect(ends.map(e => e.reason)).toEqual(['short_accepted'])
  })

  it('cuts off a replay past maxReplayFrames, doubles the bound for the next one, and resets it at an end', () => {
    const { replay, ends } = setup({ maxReplayFrames: 3 })
    replay.begin(QUIET)
    for (let i = 0; i < 3; i++) expect(replay.frame()).toBeNull()
    expect(replay.frame()).toMatchObject({ frames: 4, maxReplayFrames: 3 })
    // cut off: never ended, and its timer is gone
    vi.advanceTimersByTime(10 * QUIET)
    expect(ends).toEqual([])
    replay.begin(QUIET)
    for (let i = 0; i < 6; i++) expect(replay.frame()).toBeNull()
    expect(replay.frame()).toMatchObject({ frames: 7, maxReplayFrames: 6 })
    replay.begin(QUIET)
    for (let i = 0; i < 5; i++) expect(replay.frame()).toBeNull()
    vi.advanceTimersByTime(QUIET)
    expect(ends.map(e => e.reason)).toEqual(['quiet'])
    replay.begin(QUIET)
    for (let i = 0; i < 3; i++) expect(replay.frame()).toBeNull()
    expect(replay.frame()).not.toBeNull()
  })

  it('cuts off a replay still going after maxReplayMs', () => {
    const { replay } = setup({ maxReplayMs: 1000 })
    replay.begin(QUIET)
    for (let t = 0; t <= 1000; t += 100) {
      expect(replay.frame()).toBeNull()
      vi.advanceTimersByTime(100)
    }
    expect(replay.frame()).toMatchObject({ elapsedMs: 1100, maxReplayMs: 1000 })
  })

  it('cancel() stops a running replay without an end', () => {
    const { replay, ends, stalls } = setup()
    replay.begin(QUIET)
    replay.frame()
    replay.cancel()
    vi.advanceTimersByTime(10 * REPLAY_STALL_MS)
    expect(ends).toEqual([])
    expect(stalls()).toBe(0)
  })
})

describe('replay end: history after the end', () => {
  it('an empty replay ended by its wait continues when its history comes late, and measures the real first frame', () => {
    const { replay, ends } = setup()
    replay.begin(QUIET)
    vi.advanceTimersByTime(QUIET)
    expect(ends.map(e => e.reason)).toEqual(['no_history'])
    vi.advanceTimersByTime(200)
    expect(replay.late()).toBe(true)
    expect(replay.frame()).toBeNull()
    replay.frame()
    vi.advanceTimersByTime(QUIET)
    expect(ends.map(e => e.reason)).toEqual(['no_history', 'quiet'])
    expect(ends[1]?.stats).toEqual({ frames: 2, durationMs: 2 * QUIET + 200, firstFrameMs: QUIET + 200 })
    // once: more history after that end is a resync
    expect(replay.late()).toBe(false)
  })

  it('not after live traffic (a frame in or a write out) since the end', () => {
    const { replay } = setup()
    replay.begin(QUIET)
    vi.advanceTimersByTime(QUIET)
    replay.live()
    expect(replay.late()).toBe(false)
  })

  it('not after an empty replay that had own sends to prove (unproven)', () => {
    const { replay, setState } = setup()
    setState('unproven')
    replay.begin(QUIET)
    vi.advanceTimersByTime(REPLAY_FIRST_FRAME_MS)
    expect(replay.late()).toBe(false)
  })

  it('not after a replay with frames: the next one must hold more than it did', () => {
    const { replay, ends } = setup()
    replay.begin(QUIET)
    replay.frame()
    replay.frame()
    vi.advanceTimersByTime(QUIET)
    expect(replay.late()).toBe(false)
    // the next replay with only 2 frames is short: it stalls instead of ending
    replay.begin(QUIET)
    replay.frame()
    replay.frame()
    vi.advanceTimersByTime(QUIET)
    expect(ends).toHaveLength(1)
    replay.frame()
    // The quiet period doubled: the first one proved too short.
    vi.advanceTimersByTime(QUIET)
    expect(ends).toHaveLength(1)
    vi.advanceTimersByTime(QUIET)
    expect(ends.map(e => e.reason)).toEqual(['quiet', 'quiet'])
  })

  it('not after a new socket opened', () => {
    const { replay } = setup()
    replay.begin(QUIET)
    vi.advanceTimersByTime(QUIET)
    replay.begin(QUIET)
    replay.cancel()
    expect(replay.late()).toBe(false)
  })
})
