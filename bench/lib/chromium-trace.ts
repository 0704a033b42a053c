/**
 * Long main-thread tasks of a Chromium trace (`browser.startTracing()`), each broken down into the
 * work inside it: script, garbage collection, style, layout, paint. Unlike a CPU profile it tells
 * a task's wall time from the time its thread ran (`tdur`): the rest is the renderer waiting for a
 * core (other processes on the machine).
 */

/** One event of the trace file's `traceEvents`. */
export interface TraceEvent {
  name: string
  cat: string
  ph: string
  ts: number
  dur?: number
  tdur?: number
  pid: number
  tid: number
  args?: { name?: string }
}

export interface TraceTask {
  /** ms since the first event of the page's main thread. */
  startMs: number
  wallMs: number
  /** Time the main thread ran during the task. */
  threadMs: number
  /** ms by kind of work directly or indirectly inside the task, largest first. */
  work: Array<[string, number]>
}

/** What is counted for a task: the outermost event of each kind (a nested one is in its parent). */
const KINDS: Record<string, string> = {
  'FunctionCall': 'script', 'EvaluateScript': 'script', 'v8.callFunction': 'script', 'TimerFire': 'script', 'EventDispatch': 'script', 'FireAnimationFrame': 'script', 'RunMicrotasks': 'script', 'v8.run': 'script',
  'MinorGC': 'gc (minor)', 'MajorGC': 'gc (major)', 'V8.GC_SCAVENGER': 'gc (minor)', 'V8.GC_MARK_COMPACTOR': 'gc (major)', 'V8.GC_MC_INCREMENTAL': 'gc (incremental marking)', 'V8.GCFinalizeMC': 'gc (major)', 'BlinkGC.AtomicPhase': 'gc (blink)', 'ThreadState::performIdleLazySweep': 'gc (blink)', 'BlinkGC.CompleteSweep': 'gc (blink)',
  'UpdateLayoutTree': 'style', 'Layout': 'layout', 'PrePaint': 'paint', 'Paint': 'paint', 'Layerize': 'paint', 'UpdateLayer': 'paint', 'Commit': 'paint', 'HitTest': 'hit test', 'ParseHTML': 'parse html',
}

/** The renderer main thread's tasks longer than `overMs`, with what ran inside them. */
export function longTraceTasks(events: readonly TraceEvent[], overMs = 50): TraceTask[] {
  const main = events.find(e => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
  if (!main) return []
  const own = events.filter(e => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts)
  const origin = own[0]?.ts ?? 0
  const out: TraceTask[] = []
  for (const [i, task] of own.entries()) {
    if (task.name !== 'RunTask' || task.dur! / 1000 <= overMs) continue
    const end = task.ts + task.dur!
    const work = new Map<string, number>()
    let coveredUntil = task.ts
    for (let j = i + 1; j < own.length && own[j]!.ts < end; j++) {
      const e = own[j]!
      const kind = KINDS[e.name]
      // The outermost event of a counted kind; events inside it are part of it.
      if (!kind || e.ts < coveredUntil) continue
      coveredUntil = e.ts + e.dur!
      work.set(kind, (work.get(kind) ?? 0) + e.dur! / 1000)
    }
    out.push({
      startMs: Math.round((task.ts - origin) / 1000),
      wallMs: Math.round(task.dur! / 1000),
      threadMs: Math.round((task.tdur ?? task.dur!) / 1000),
      work: [...work.entries()].map(([k, v]) => [k, Math.round(v * 10) / 10] as [string, number]).sort((a, b) => b[1] - a[1]),
    })
  }
  return out
}

/** Categories for `browser.startTracing()`: tasks, script, GC, rendering. */
export const TRACE_CATEGORIES = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'disabled-by-default-v8.gc', 'blink.user_timing']
