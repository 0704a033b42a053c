/**
 * Long main-thread tasks of a Chromium trace (`browser.startTracing()`), each broken down into the
 * work inside it: script, garbage collection, style, layout, paint. Unlike a CPU profile it tells
 * a task's wall time from the time its thread ran (`tdur`). The difference is mostly the renderer
 * waiting for a core (other processes on the machine), partly the thread waiting for its own
 * helper threads (a garbage collection's parallel phases).
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
  args?: { name?: string, data?: { frames?: Array<{ processId?: number, isOutermostMainFrame?: boolean }> } }
}

export interface TraceTask {
  /** ms since the first event of the page's main thread. */
  startMs: number
  wallMs: number
  /** CPU time the main thread ran during the task (`null`: the trace has no thread time). */
  threadMs: number | null
  /** By kind of work, the time of its own events less the counted events nested in them, largest first. */
  work: Array<{ kind: string, wallMs: number, threadMs: number | null }>
}

/** The kinds of work counted in a task. */
const KINDS: Record<string, string> = {
  'FunctionCall': 'script', 'EvaluateScript': 'script', 'v8.callFunction': 'script', 'TimerFire': 'script', 'EventDispatch': 'script', 'FireAnimationFrame': 'script', 'RunMicrotasks': 'script', 'v8.run': 'script',
  'MinorGC': 'gc (minor)', 'MajorGC': 'gc (major)', 'V8.GC_SCAVENGER': 'gc (minor)', 'V8.GC_MARK_COMPACTOR': 'gc (major)', 'V8.GC_MC_INCREMENTAL': 'gc (incremental marking)', 'V8.GCFinalizeMC': 'gc (major)', 'BlinkGC.AtomicPhase': 'gc (blink)', 'ThreadState::performIdleLazySweep': 'gc (blink)', 'BlinkGC.CompleteSweep': 'gc (blink)',
  'UpdateLayoutTree': 'style', 'Layout': 'layout', 'PrePaint': 'paint', 'Paint': 'paint', 'Layerize': 'paint', 'UpdateLayer': 'paint', 'Commit': 'paint', 'HitTest': 'hit test', 'ParseHTML': 'parse html',
}

/**
 * The page's renderer main thread: the process of the outermost main frame when tracing started
 * (a browser may hold other pages, each with a renderer of its own), else the first one.
 */
function mainThread(events: readonly TraceEvent[]): TraceEvent | undefined {
  const started = events.find(e => e.name === 'TracingStartedInBrowser')
  const pid = started?.args?.data?.frames?.find(f => f.isOutermostMainFrame)?.processId
  const threads = events.filter(e => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
  return threads.find(e => e.pid === pid) ?? threads[0]
}

/** The renderer main thread's tasks longer than `overMs`, with what ran inside them. */
export function longTraceTasks(events: readonly TraceEvent[], overMs = 50): TraceTask[] {
  const main = mainThread(events)
  if (!main) return []
  // Ties: the enclosing (longer) event first.
  const own = events.filter(e => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!)
  const origin = own[0]?.ts ?? 0
  const out: TraceTask[] = []
  for (const [i, task] of own.entries()) {
    if (task.name !== 'RunTask' || task.dur! / 1000 <= overMs) continue
    const end = task.ts + task.dur!
    const timed = task.tdur !== undefined
    // Each counted event's own time: its duration less that of the counted events directly inside
    // it (a GC or a forced layout inside a script call is counted as GC or layout, not script).
    const counted: Array<{ kind: string, end: number, wall: number, ran: number }> = []
    const open: typeof counted = []
    for (let j = i + 1; j < own.length && own[j]!.ts < end; j++) {
      const e = own[j]!
      const kind = KINDS[e.name]
      if (!kind) continue
      while (open.length > 0 && open.at(-1)!.end <= e.ts) open.pop()
      const parent = open.at(-1)
      if (parent) {
        parent.wall -= e.dur!
        parent.ran -= e.tdur ?? 0
      }
      const c = { kind, end: e.ts + e.dur!, wall: e.dur!, ran: e.tdur ?? 0 }
      counted.push(c)
      open.push(c)
    }
    const work = new Map<string, { wall: number, ran: number }>()
    for (const c of counted) {
      const w = work.get(c.kind) ?? work.set(c.kind, { wall: 0, ran: 0 }).get(c.kind)!
      w.wall += c.wall
      w.ran += c.ran
    }
    const ms = (us: number): number => Math.round(us / 100) / 10
    out.push({
      startMs: Math.round((task.ts - origin) / 1000),
      wallMs: ms(task.dur!),
      threadMs: timed ? ms(task.tdur!) : null,
      work: [...work.entries()].map(([kind, w]) => ({ kind, wallMs: ms(w.wall), threadMs: timed ? ms(w.ran) : null })).sort((a, b) => b.wallMs - a.wallMs),
    })
  }
  return out
}

/** Categories for `browser.startTracing()`: tasks, script, GC, rendering. */
export const TRACE_CATEGORIES = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'disabled-by-default-v8.gc', 'blink.user_timing']
