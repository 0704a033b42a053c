/**
 * 4. Memory: retained heap per stored message at 100k messages, against the wire JSON's bytes.
 * Each candidate is measured in isolation: full GC, heapUsed, build while holding a reference,
 * full GC, heapUsed. The wire strings are alive before and after, so they cancel out.
 * Needs `--expose-gc` (without it the figures are reported as unavailable).
 */
import { conversation, historyFrame, wireBytes } from '../lib/frames'
import { createGuideChat } from '../lib/guide'
import { feedReplay, loadCore, newTimeline } from '../lib/ours'
import { gc, isMain, median } from '../lib/stats'

export interface MemoryFigure {
  /** Median retained bytes per message. */
  bytesPerMessage: number
  /** Ratio to the average wire bytes of one frame. */
  vsWire: number
  samples: number[]
}

export interface MemoryResult {
  n: number
  runs: number
  wireBytesPerFrame: number
  floor: MemoryFigure
  guide: MemoryFigure
  ours: MemoryFigure | null
  unavailable: string | null
}

function retained(n: number, build: () => unknown): number {
  gc()
  const before = process.memoryUsage().heapUsed
  let held: unknown = build()
  gc()
  const after = process.memoryUsage().heapUsed
  if (held === undefined) throw new Error('candidate returned nothing to hold')
  held = null
  return (after - before) / n
}

export function runMemory(n = 100_000, runs = 5): MemoryResult {
  if (!(globalThis as { gc?: unknown }).gc) throw new Error('run with node --expose-gc')
  const core = loadCore()
  const frames = conversation(n).map(historyFrame)
  const wire = wireBytes(frames) / n

  const candidates = {
    floor: () => frames.map(f => JSON.parse(f) as unknown),
    guide: () => {
      const chat = createGuideChat()
      for (const data of frames) chat.onmessage({ data })
      return chat
    },
    ours: typeof core === 'string'
      ? null
      : () => {
          const tl = newTimeline(core)
          tl.beginReplay()
          feedReplay(core, tl, frames)
          tl.endReplay()
          tl.messages()
          return tl
        },
  }
  const samples: Record<'floor' | 'guide' | 'ours', number[]> = { floor: [], guide: [], ours: [] }
  retained(n, candidates.floor) // warm-up: code and hidden classes allocated once
  if (candidates.ours) retained(n, candidates.ours)
  retained(n, candidates.guide)
  for (let r = 0; r < runs; r++) {
    samples.floor.push(retained(n, candidates.floor))
    samples.guide.push(retained(n, candidates.guide))
    if (candidates.ours) samples.ours.push(retained(n, candidates.ours))
  }
  const figure = (xs: number[]): MemoryFigure => ({ bytesPerMessage: median(xs), vsWire: median(xs) / wire, samples: xs })
  return {
    n,
    runs,
    wireBytesPerFrame: wire,
    floor: figure(samples.floor),
    guide: figure(samples.guide),
    ours: candidates.ours ? figure(samples.ours) : null,
    unavailable: typeof core === 'string' ? core : null,
  }
}

if (isMain(import.meta.url)) process.stdout.write(`${JSON.stringify(runMemory(undefined, Number(process.env.BENCH_RUNS ?? 5)))}\n`)
