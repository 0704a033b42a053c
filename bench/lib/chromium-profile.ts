/**
 * A Chromium CPU profile (CDP `Profiler`) of a built app, summarised with source names: the
 * functions taking the most time overall and within given tasks (the page's long tasks), named
 * `source file:function` through the bundles' source maps.
 */

export interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
  columnNumber: number
}
export interface CpuProfile {
  nodes: Array<{ id: number, callFrame: CallFrame, children?: number[] }>
  samples: number[]
  timeDeltas: number[]
}

/** The fields of a source map this file reads. */
export interface SourceMap {
  sources: string[]
  sourcesContent?: Array<string | null>
  names: string[]
  mappings: string
}

export interface TaskProfile {
  label: string
  /** On the page's clock (ms since navigation start). */
  startMs: number
  durationMs: number
  /** Time spent in the function itself. */
  self: Array<[string, number]>
  /** Time with the function on the stack (each function once per sample). */
  inclusive: Array<[string, number]>
}

export interface ProfileSummary {
  /** Sampled time not idle, without the gaps of {@link NOT_RUNNING}. */
  busyMs: number
  /** Each of the given tasks, when the clock mark was found in the profile. */
  tasks: TaskProfile[]
  self: Array<[string, number]>
  inclusive: Array<[string, number]>
}

export interface ProfileOptions {
  /**
   * A function the page ran at a known time on its clock, to align samples with the page's times
   * (the profile has its own clock).
   */
  mark: { functionName: string, pageMs: number }
  /** `[label, start, duration]` of tasks on the page's clock, e.g. its `longtask` entries. */
  tasks: ReadonlyArray<readonly [string, number, number]>
  /**
   * `[label, time]` on the page's clock: the run of busy samples around each time is reported as a
   * task too (one shorter than a long task, e.g. the one that went `live`).
   */
  around?: ReadonlyArray<readonly [string, number]>
  /** The sampling interval the profiler was set to. */
  intervalMs: number
  /** Functions listed per table. @default 12 */
  top?: number
}

/**
 * A sample taken this many intervals after the previous one means the renderer did not run in
 * between (on a loaded machine the OS gave the core to another process): the gap is reported as
 * such instead of being charged to whatever function the late sample caught.
 */
const LATE_SAMPLE = 10
/** Name of the time between late samples. */
export const NOT_RUNNING = '(renderer not running: CPU taken by other processes)'

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Decoded segments per generated line: [column, source, line, column, name?]. */
function decodeMappings(mappings: string): number[][][] {
  const lines: number[][][] = []
  const state = [0, 0, 0, 0, 0]
  for (const line of mappings.split(';')) {
    const segments: number[][] = []
    state[0] = 0
    for (const text of line.split(',')) {
      if (!text) continue
      const fields: number[] = []
      let value = 0
      let shift = 0
      for (const ch of text) {
        const digit = B64.indexOf(ch)
        value += (digit & 31) << shift
        if (digit & 32) {
          shift += 5
          continue
        }
        fields.push(value & 1 ? -(value >>> 1) : value >>> 1)
        value = 0
        shift = 0
      }
      const segment = fields.map((delta, i) => (state[i] = (state[i] ?? 0) + delta))
      segments.push(segment)
    }
    lines.push(segments)
  }
  return lines
}

/** `node_modules/@vue/runtime-core/dist/x.js` → `@vue/runtime-core`, `../../src/core/a.ts` → `src/core/a.ts`. */
function shortSource(source: string): string {
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)
  if (modules) return modules[1] ?? source
  return source.replace(/^(\.\.\/)+/, '').replace(/^.*?\/(src|playground|nuxt-module)\//, '$1/')
}

/** The name of the function whose source starts at `column` of `text` (a line). */
function functionNameAt(text: string, column: number): string | null {
  const before = text.slice(0, column)
  const after = text.slice(column)
  return /([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s*)?(?:function\b[^(]*)?$/.exec(before)?.[1]
    ?? /(?:function\s*\*?\s*|^)([A-Za-z_$][\w$]*)\s*$/.exec(before)?.[1]
    ?? /^(?:async\s+)?(?:function\s*\*?\s*)?([A-Za-z_$][\w$]*)\s*\(/.exec(after)?.[1]
    ?? null
}

/**
 * Names call frames `source:function` with the source map `mapFor(url)` returns (null: the frame's
 * own name and file).
 */
export function sourceNamer(mapFor: (url: string) => SourceMap | null): (frame: CallFrame) => string {
  const decoded = new Map<string, { map: SourceMap, lines: number[][][] } | null>()
  const names = new Map<string, string>()
  return (frame) => {
    if (!frame.url) return frame.functionName || '(anonymous)'
    const id = `${frame.url}:${frame.lineNumber}:${frame.columnNumber}`
    const known = names.get(id)
    if (known) return known
    if (!decoded.has(frame.url)) {
      const map = mapFor(frame.url)
      decoded.set(frame.url, map ? { map, lines: decodeMappings(map.mappings) } : null)
    }
    const entry = decoded.get(frame.url)
    let name = `${frame.url.replace(/^.*\//, '')}:${frame.functionName || '(anonymous)'}`
    const segments = entry?.lines[frame.lineNumber] ?? []
    let hit: number[] | undefined
    for (const s of segments) {
      if ((s[0] ?? 0) > frame.columnNumber) break
      hit = s
    }
    if (entry && hit && hit.length >= 4) {
      const [, source = 0, line = 0, column = 0, nameIndex] = hit
      const text = entry.map.sourcesContent?.[source]?.split('\n')[line] ?? ''
      const fn = (nameIndex === undefined ? null : entry.map.names[nameIndex]) ?? functionNameAt(text, column) ?? '(anonymous)'
      name = `${shortSource(entry.map.sources[source] ?? '?')}:${fn}`
    }
    names.set(id, name)
    return name
  }
}

function top(totals: Map<string, number>, n: number): Array<[string, number]> {
  return [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, ms]) => [k, Math.round(ms * 10) / 10])
}

/** Where the profiled time went: overall, and within each of `options.tasks` and `options.around`. */
export function summariseProfile(profile: CpuProfile, name: (frame: CallFrame) => string, options: ProfileOptions): ProfileSummary {
  const n = options.top ?? 12
  const byId = new Map(profile.nodes.map(node => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const stacks = new Map<number, string[]>()
  const stack = (id: number): string[] => {
    let keys = stacks.get(id)
    if (!keys) {
      const seen = new Set<string>()
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const frame = byId.get(at)?.callFrame
        if (frame && frame.functionName !== '(root)') seen.add(name(frame))
      }
      stacks.set(id, keys = [...seen])
    }
    return keys
  }

  // Sample times in ms from the profile's start; the page's clock is that minus `offset`.
  const times: number[] = []
  let clock = 0
  for (const dt of profile.timeDeltas) times.push(clock += dt / 1000)
  const markAt = profile.samples.findIndex(id => stack(id).some(key => key.endsWith(options.mark.functionName)))
  const offset = markAt < 0 ? null : (times[markAt] ?? 0) - options.mark.pageMs

  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  const busy = (i: number) => {
    const fn = byId.get(profile.samples[i] ?? -1)?.callFrame.functionName
    return fn !== undefined && fn !== '(idle)'
  }
  const shift = offset ?? 0
  const windows: Array<[string, number, number]> = offset === null ? [] : options.tasks.map(([label, start, duration]) => [label, start + shift, start + duration + shift])
  for (const [label, time] of offset === null ? [] : options.around ?? []) {
    let i = times.findIndex(t => t >= time + shift)
    if (i < 0 || !busy(i)) continue
    let j = i
    while (i > 0 && busy(i - 1)) i--
    while (j + 1 < times.length && busy(j + 1)) j++
    windows.push([label, (times[i] ?? 0) - (profile.timeDeltas[i] ?? 0) / 1000, times[j] ?? 0])
  }
  const tasks = windows.map(([label, start, end]) => ({ label, start, end, self: new Map<string, number>(), inclusive: new Map<string, number>() }))
  let busyMs = 0
  const add = (totals: Map<string, number>, key: string, dt: number) => totals.set(key, (totals.get(key) ?? 0) + dt)
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame
    if (!frame || frame.functionName === '(idle)') return
    let dt = (profile.timeDeltas[i] ?? 0) / 1000
    const at = times[i] ?? 0
    const within = tasks.filter(task => at >= task.start && at <= task.end)
    if (dt > LATE_SAMPLE * options.intervalMs) {
      const gap = dt - options.intervalMs
      dt = options.intervalMs
      for (const totals of [self, inclusive, ...within.flatMap(t => [t.self, t.inclusive])]) add(totals, NOT_RUNNING, gap)
    }
    const own = name(frame)
    const keys = stack(id)
    busyMs += dt
    add(self, own, dt)
    for (const key of keys) add(inclusive, key, dt)
    for (const task of within) {
      add(task.self, own, dt)
      for (const key of keys) add(task.inclusive, key, dt)
    }
  })
  return {
    busyMs: Math.round(busyMs),
    tasks: tasks.map(t => ({ label: t.label, startMs: Math.round(t.start - shift), durationMs: Math.round(t.end - t.start), self: top(t.self, n), inclusive: top(t.inclusive, n) })),
    self: top(self, n),
    inclusive: top(inclusive, n),
  }
}
