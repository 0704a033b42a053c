/**
 * How long a replay may take to send its first frame, learnt from earlier replays and kept per user:
 * the server's time from the open to the first history frame (a decaying maximum) and the peers
 * whose conversation was empty last time. Only ever a wait: a wrong value costs time, never a
 * message (history arriving after the end continues that replay or forces a new one).
 */
import { REPLAY_FIRST_FRAME_MS, type ReplayStats } from '../transport/replay-end'
import { readItem, writeItem } from './safe-storage'
import type { StorageAdapter, UserId } from '../types'

/** `t`: time to the first frame (ms); `e`: peers whose last replay was empty. */
interface Memory {
  t?: unknown
  e?: unknown
}

/** The stored time to the first frame, when it is one. */
const estimate = (memory: Memory): number | undefined => (typeof memory.t === 'number' && memory.t >= 0 ? memory.t : undefined)

function recall(raw: string | null): Memory {
  try {
    const memory: unknown = JSON.parse(raw ?? '{}')
    return memory && typeof memory === 'object' ? memory : {}
  }
  catch {
    return {}
  }
}

const emptyPeers = (memory: Memory): unknown[] => (Array.isArray(memory.e) ? memory.e : [])

/**
 * How long the replay of the conversation with `peerId` may stay without a frame before it counts as
 * empty: the quiet period when that conversation was empty last time and nothing is shown now; else
 * twice the server's time to the first frame past a quiet period (the quiet period standing in for a
 * time not measured yet), at most `REPLAY_FIRST_FRAME_MS`.
 */
export function firstFrameWait(storage: StorageAdapter, key: string, peerId: UserId, quietMs: number, shown: boolean): number {
  const memory = recall(readItem(storage, key))
  return !shown && emptyPeers(memory).includes(peerId) ? quietMs : Math.max(quietMs, Math.min(REPLAY_FIRST_FRAME_MS, quietMs + 2 * (estimate(memory) ?? quietMs)))
}

/**
 * Learn from a replay that ended. One slow first frame lengthens the next waits and fades over the
 * replays after it. A write storage refuses leaves the older memory: it only sets a wait.
 */
export function rememberReplay(storage: StorageAdapter, key: string, peerId: UserId, stats: ReplayStats): void {
  const raw = readItem(storage, key)
  const memory = recall(raw)
  const first = stats.firstFrameMs
  const last = estimate(memory)
  const empty = emptyPeers(memory).filter(p => p !== peerId)
  if (!stats.frames) empty.push(peerId)
  const next = JSON.stringify({ t: first === null ? last : Math.min(REPLAY_FIRST_FRAME_MS, Math.max(first, Math.round((last ?? 0) * 0.75))), e: empty })
  if (next !== raw) writeItem(storage, key, next)
}
