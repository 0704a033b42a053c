/**
 * Cached history in a timeline: showing an earlier session's stored messages until the first
 * replay ends, and taking a completed replay's messages to cache. Only the history cache uses it,
 * so it lives in the cache's lazy chunk; `Timeline` hands it its parts (its private
 * `cacheParts()`). Runtime imports only from modules the core does not bundle: a module both use
 * would split the core into a shared chunk (more requests, more bytes).
 */
import type { HistoryFrame } from '../transport/protocol'
import type { ChatMessage } from '../types'
import type { Timeline } from './timeline'

/**
 * Show cached history (stored messages of an earlier session, server order) in `timeline` until
 * its first replay ends; that replay replaces it, and messages it still holds keep their ids.
 * Ignored (`false`) once a replay ended, anything is stored, or the running replay has frames.
 * Sends never depend on it. `true`: the view changed.
 */
export function showCachedHistory(timeline: Timeline, frames: readonly HistoryFrame[]): boolean {
  const { selfId, peerId, display, marker, queue, storedId, replay, replays, shown, isCandidate } = timeline['cacheParts']()
  if (replays > 0 || frames.length === 0) return false
  // An unsent send whose stored copy the cache may already hold (its outbox entry outlived the
  // echo) stands in for that copy, so the view never shows it twice while the replay runs.
  const standIn = new Map<string, number[]>()
  for (const e of queue.list) {
    if (isCandidate(e) && e.prior !== null) (standIn.get(e.content) ?? standIn.set(e.content, []).get(e.content)!).push(e.prior)
  }
  const seen = new Map<string, number>()
  const out: ChatMessage[] = []
  let peers = 0
  let unread = 0
  for (const f of frames) {
    const mine = f.senderId === selfId
    if (!mine && f.senderId !== peerId) continue
    if (mine && standIn.has(f.content)) {
      const k = seen.get(f.content) ?? 0
      seen.set(f.content, k + 1)
      const priors = standIn.get(f.content)!
      const at = priors.indexOf(k)
      if (at >= 0 || priors.some(p => p < k)) {
        priors.splice(at >= 0 ? at : priors.findIndex(p => p < k), 1)
        continue
      }
    }
    const isRead = mine ? f.isRead : f.isRead || peers++ < marker.count
    if (!mine && !isRead) unread++
    out.push(display.make(storedId(), mine, f.content, f.timestamp, true, 'sent', isRead))
  }
  return replay.preferPreview(Object.freeze(out)) && shown(unread)
}

/** The stored messages of `timeline` worth caching: those of completed replays, in server order (`null` before the first). */
export function storedHistory(timeline: Timeline): HistoryFrame[] | null {
  const { display, replays, serverRead } = timeline['cacheParts']()
  if (replays === 0) return null
  const out: HistoryFrame[] = []
  for (const m of display.stored) {
    if (!m.serverTime) continue
    const time = Date.parse(m.createdAt)
    out.push({ kind: 'history', senderId: m.senderId, receiverId: m.receiverId, content: m.content, timestamp: m.createdAt, time, isRead: serverRead(m) })
  }
  return out
}
