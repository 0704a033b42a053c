import type { HistoryFrame, LiveFrame } from '../../src/core/transport/protocol'
import type { StatusListener } from '../../src/core/timeline/message-status'
import { Timeline } from '../../src/core/timeline/timeline'
import type { TimelineOptions } from '../../src/core/timeline/timeline'

export const ME = '1'
export const PEER = '2'

/** A controllable clock for pure timeline tests. */
export function clock(start = Date.UTC(2026, 0, 1)) {
  let t = start
  return { now: () => t, advance: (ms: number) => { t += ms } }
}

/** Fails the test on a status change the transition table does not allow (production only reports it). */
export const strictTransitions: StatusListener = (id, from, to, reason) => {
  throw new Error(`disallowed status change of ${id}: ${from} -> ${to} (${reason})`)
}

export function makeTimeline(over: Partial<TimelineOptions> = {}) {
  const c = clock()
  let n = 0
  const tl = new Timeline({ selfId: ME, peerId: PEER, now: c.now, newId: () => `id${n++}`, onInvalidTransition: strictTransitions, ...over })
  return { tl, clock: c }
}

let seq = 0
export function hist(sender: string, content: string, isRead = false): HistoryFrame {
  const time = Date.UTC(2025, 0, 1) + (seq++) * 1000
  return { kind: 'history', senderId: sender, receiverId: sender === ME ? PEER : ME, content, timestamp: new Date(time).toISOString(), time, isRead }
}

export function live(sender: string, content: string): LiveFrame {
  return { kind: 'live', senderId: sender, content }
}

/** Feed a whole replay. */
export function replay(tl: Timeline, frames: readonly HistoryFrame[]) {
  tl.beginReplay()
  for (const f of frames) tl.addReplayFrame(f)
  return tl.endReplay()
}

/** `sender:content:status` triples, the shape most assertions compare. */
export function shape(tl: Timeline): string[] {
  return tl.messages().map(m => `${m.senderId}:${m.content}:${m.status}`)
}
