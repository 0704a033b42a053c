/**
 * 2. Reconnect replay: a live timeline of N messages (with a few own sends whose echo was lost in the
 * drop) receives the full replay of N + 1% messages. Timed: decode + addReplayFrame + endReplay +
 * messages(). Floor: `JSON.parse` of the same N + 1% strings. Checked: no duplicate, nothing lost,
 * same order as the server.
 */
import { conversation, historyFrame, SELF_ID } from '../lib/frames'
import { feedReplay, loadCore, newTimeline, type Core } from '../lib/ours'
import { gc, isMain, median } from '../lib/stats'

export interface ReplayCheck {
  /** Messages the server stored (N + 1%). */
  expected: number
  /** Messages in the timeline after reconciliation. */
  actual: number
  /** Distinct ChatMessage ids (equals actual when no id is reused). */
  distinctIds: number
  /** The timeline's sequence of (sender, content) equals the server's, in order. */
  sameOrderAsServer: boolean
  /** Own unknown sends the replay confirmed. */
  confirmed: number
  inserted: number
  removed: number
  requeued: number
  /** Every message ends `sent`. */
  allSent: boolean
}

export interface ReplayPoint {
  n: number
  newMessages: number
  ownUnknown: number
  runs: number
  floorMs: number
  oursMs: number | null
  oursVsFloor: number | null
  check: ReplayCheck | null
  samples: { floor: number[]; ours: number[] | null }
}

export interface ReplayResult {
  sizes: ReplayPoint[]
  unavailable: string | null
}

/** Build the pre-drop state: N messages live, then `own` sends written to the socket and dropped. */
function prepare(core: Core, before: readonly string[], ownTexts: readonly string[]) {
  const tl = newTimeline(core)
  tl.beginReplay()
  feedReplay(core, tl, before)
  tl.endReplay()
  for (const text of ownTexts) tl.enqueue(text)
  tl.takeQueued()
  tl.disconnected()
  return tl
}

export function runReplay(sizes: readonly number[] = [10_000, 100_000], runs = 7): ReplayResult {
  const core = loadCore()
  const unavailable = typeof core === 'string' ? core : null
  const points: ReplayPoint[] = []

  for (const n of sizes) {
    const extra = Math.max(1, Math.round(n / 100))
    const all = conversation(n + extra, 7)
    const frames = all.map(historyFrame)
    const before = frames.slice(0, n)
    // Half the new messages are own sends whose echo the drop swallowed: the replay must confirm them, not double them.
    const ownNew = all.slice(n).filter(m => m.senderId === SELF_ID).slice(0, Math.ceil(extra / 2))
    const ownTexts = ownNew.map(m => m.content)

    const floorSamples: number[] = []
    const oursSamples: number[] = []
    let check: ReplayCheck | null = null

    for (let round = 0; round < runs + 1; round++) {
      gc()
      let t = process.hrtime.bigint()
      let parsed: unknown[] | null = new Array<unknown>(frames.length)
      for (let i = 0; i < frames.length; i++) parsed[i] = JSON.parse(frames[i] as string)
      const floorMs = Number(process.hrtime.bigint() - t) / 1e6
      parsed = null
      if (round > 0) floorSamples.push(floorMs)

      if (typeof core === 'string') continue
      let tl: ReturnType<typeof prepare> | null = prepare(core, before, ownTexts)
      gc()
      t = process.hrtime.bigint()
      tl.beginReplay()
      feedReplay(core, tl, frames)
      const outcome = tl.endReplay()
      const messages = tl.messages()
      const oursMs = Number(process.hrtime.bigint() - t) / 1e6
      if (round > 0) oursSamples.push(oursMs)
      if (!check) {
        let same = messages.length === all.length
        for (let i = 0; same && i < all.length; i++) {
          const m = messages[i]
          const w = all[i]
          same = !!m && !!w && m.senderId === String(w.senderId) && m.content === w.content
        }
        check = {
          expected: all.length,
          actual: messages.length,
          distinctIds: new Set(messages.map(m => m.id)).size,
          sameOrderAsServer: same,
          confirmed: outcome.confirmed,
          inserted: outcome.inserted,
          removed: outcome.removed,
          requeued: outcome.requeued,
          allSent: messages.every(m => m.status === 'sent'),
        }
      }
      tl = null
    }
    const floorMs = median(floorSamples)
    const oursMs = oursSamples.length ? median(oursSamples) : null
    points.push({
      n,
      newMessages: extra,
      ownUnknown: ownTexts.length,
      runs,
      floorMs,
      oursMs,
      oursVsFloor: oursMs === null ? null : oursMs / floorMs,
      check,
      samples: { floor: floorSamples, ours: oursSamples.length ? oursSamples : null },
    })
  }
  return { sizes: points, unavailable }
}

if (isMain(import.meta.url)) process.stdout.write(`${JSON.stringify(runReplay(undefined, Number(process.env.BENCH_RUNS ?? 5)))}\n`)
