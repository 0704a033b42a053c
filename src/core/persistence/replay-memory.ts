/**
 * How long a replay may take to send its first frame, learnt from earlier replays and kept per user:
 * the server's time from the open to the first history frame (a decaying maximum) and, per peer,
 * whether the conversation had history last time. Only ever a wait: a wrong value costs time, never
 * a message (history arriving after the end continues that replay or forces a new one).
 */
import { REPLAY_FIRST_FRAME_MS, type ReplayStats } from '../transport/replay-end'
import { readItem, writeItem } from './safe-storage'
import type { StorageAdapter, UserId } from '../types'

/** `t`: time to the first frame (ms); `p`: per peer, `1` when its last replay had history, `0` when empty. */
interface Memory {
  t?: unknown
  p?: Record<string, unknown>
}

function recall(raw: string | null): Memory {
  try {
    const memory: unknown = JSON.parse(raw ?? '{}')
    return memory && typeof memory === 'object' ? memory : {}
  }
  catch {
    return {}
  }
}

/** The stored time to the first frame, when it is one. */
const estimate = (memory: Memory): number | undefined => (typeof memory.t === 'number' && memory.t >= 0 ? memory.t : undefined)

/** What the last replay of `peerId` held: `1` history, `0` none, else unknown. */
const last = (memory: Memory, peerId: UserId): unknown => (memory.p && typeof memory.p === 'object' ? memory.p[peerId] : undefined)

/**
 * How long the replay of the conversation with `peerId` may stay without a frame before it counts as
 * empty, past the quiet period: nothing when it was empty last time and shows nothing now; twice the
 * server's time to the first frame when it had history (or shows messages); for a conversation never
 * replayed here, twice that time but at most twice the quiet period (the quiet period also stands in
 * for a time not measured yet): a long history there may end early, and then continues on the same
 * socket. Never more than `REPLAY_FIRST_FRAME_MS` in all.
 */
export function firstFrameWait(storage: StorageAdapter, key: string, peerId: UserId, quietMs: number, shown: boolean): number {
  const memory = recall(readItem(storage, key))
  const had = shown ? 1 : last(memory, peerId)
  const t = estimate(memory) ?? quietMs
  return had === 0 ? quietMs : Math.max(quietMs, Math.min(REPLAY_FIRST_FRAME_MS, quietMs + 2 * (had === 1 ? t : Math.min(t, quietMs))))
}

/**
 * Learn from a replay that ended. One slow first frame lengthens the next waits and fades over the
 * replays after it. A write storage refuses leaves the older memory: it only sets a wait.
 */
export function rememberReplay(storage: StorageAdapter, key: string, peerId: UserId, stats: ReplayStats): void {
  const raw = readItem(storage, key)
  const memory = recall(raw)
  const first = stats.firstFrameMs
  const t = estimate(memory)
  const peers = { ...(memory.p && typeof memory.p === 'object' ? memory.p : {}), [peerId]: stats.frames ? 1 : 0 }
  const next = JSON.stringify({ t: first === null ? t : Math.min(REPLAY_FIRST_FRAME_MS, Math.max(first, Math.round((t ?? 0) * 0.75))), p: peers })
  if (next !== raw) writeItem(storage, key, next)
}
