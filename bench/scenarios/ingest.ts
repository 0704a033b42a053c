/**
 * 1. History ingest: N history frames through decode + Timeline + the Pinia store, against the floor
 * (`JSON.parse` of the same strings, results kept) and the backend integration guide's Vue example (see bench/lib/guide.ts), interleaved in one run.
 */
import { createPinia, setActivePinia } from 'pinia'
import { useChatStore } from '../../src/vue/store'
import { conversation, historyFrame, PEER_ID } from '../lib/frames'
import { createGuideChat } from '../lib/guide'
import { feedReplay, loadCore, newTimeline, snapshotOf } from '../lib/ours'
import { interleave, isMain, median } from '../lib/stats'

export interface IngestPoint {
  n: number
  runs: number
  /** Repetitions inside one timed sample (small N is repeated so a sample lasts long enough to time). */
  repsPerSample: number
  /** Median ms for N frames. */
  floorMs: number
  oursMs: number | null
  guideMs: number
  oursPerFrameUs: number | null
  floorPerFrameUs: number
  guidePerFrameUs: number
  oursVsFloor: number | null
  guideVsFloor: number
  /** Messages the timeline holds after the replay (must equal n). */
  oursMessages: number | null
  samples: { floor: number[]; ours: number[] | null; guide: number[] }
}

export interface IngestResult {
  sizes: IngestPoint[]
  /** Exponent k of time ∝ N^k between the smallest and largest N (1 = linear). */
  growthExponent: { floor: number; ours: number | null; guide: number }
  unavailable: string | null
}

export function runIngest(sizes: readonly number[] = [1_000, 10_000, 100_000], runs = 7): IngestResult {
  const core = loadCore()
  const unavailable = typeof core === 'string' ? core : null
  setActivePinia(createPinia())
  const store = useChatStore()
  const points: IngestPoint[] = []

  for (const n of sizes) {
    const frames = conversation(n).map(historyFrame)
    const reps = Math.max(1, Math.round(20_000 / n))
    let held = 0

    const floor = () => {
      let last: unknown = null
      for (let r = 0; r < reps; r++) {
        const out = new Array<unknown>(frames.length)
        for (let i = 0; i < frames.length; i++) out[i] = JSON.parse(frames[i] as string)
        last = out
      }
      return last
    }
    const guide = () => {
      let last: unknown = null
      for (let r = 0; r < reps; r++) {
        const chat = createGuideChat()
        for (const data of frames) chat.onmessage({ data })
        chat.stop()
        last = chat
      }
      return last
    }
    const ours = typeof core === 'string'
      ? null
      : () => {
          let last: unknown = null
          for (let r = 0; r < reps; r++) {
            const tl = newTimeline(core)
            tl.beginReplay()
            feedReplay(core, tl, frames)
            tl.endReplay()
            store.applySnapshot(String(PEER_ID), snapshotOf(tl))
            held = store.conversations[String(PEER_ID)]?.messages.length ?? -1
            store.removeConversation(String(PEER_ID))
            last = tl
          }
          return last
        }

    const samples = interleave({ floor, guide, ...(ours ? { ours } : {}) } as Record<'floor' | 'guide' | 'ours', () => void>, runs)
    const per = (xs: number[]) => median(xs) / reps
    const floorMs = per(samples.floor)
    const guideMs = per(samples.guide)
    const oursMs = ours ? per(samples.ours) : null
    points.push({
      n,
      runs,
      repsPerSample: reps,
      floorMs,
      guideMs,
      oursMs,
      floorPerFrameUs: (floorMs * 1000) / n,
      guidePerFrameUs: (guideMs * 1000) / n,
      oursPerFrameUs: oursMs === null ? null : (oursMs * 1000) / n,
      oursVsFloor: oursMs === null ? null : oursMs / floorMs,
      guideVsFloor: guideMs / floorMs,
      oursMessages: ours ? held : null,
      samples: { floor: samples.floor, guide: samples.guide, ours: ours ? samples.ours : null },
    })
  }

  const first = points[0]
  const last = points[points.length - 1]
  const exponent = (a: number | null | undefined, b: number | null | undefined) =>
    first && last && a && b && last.n !== first.n ? Math.log(b / a) / Math.log(last.n / first.n) : Number.NaN
  return {
    sizes: points,
    growthExponent: {
      floor: exponent(first?.floorMs, last?.floorMs),
      guide: exponent(first?.guideMs, last?.guideMs),
      ours: unavailable ? null : exponent(first?.oursMs, last?.oursMs),
    },
    unavailable,
  }
}

if (isMain(import.meta.url)) process.stdout.write(`${JSON.stringify(runIngest(undefined, Number(process.env.BENCH_RUNS ?? 5)))}\n`)
