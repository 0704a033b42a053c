/**
 * Timing and reporting helpers shared by every benchmark scenario.
 * Scenarios are scripts, not tests: they measure and report, they never assert timings.
 */
import { cpus, totalmem } from 'node:os'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const hi = sorted[mid] ?? Number.NaN
  const lo = sorted[mid - 1] ?? hi
  return sorted.length % 2 ? hi : (lo + hi) / 2
}

/** The median of what `pick` gives for each run, runs it gives `null` for left out. */
export function medianOf<T>(runs: readonly T[], pick: (run: T) => number | null): number {
  return median(runs.map(pick).filter((v): v is number => v !== null))
}

/** Milliseconds elapsed while `fn` runs (high resolution). */
export function timeMs(fn: () => void): number {
  const start = process.hrtime.bigint()
  fn()
  return Number(process.hrtime.bigint() - start) / 1e6
}

/** Like timeMs for async work. */
export async function timeMsAsync(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e6
}

/** Full GC when Node runs with `--expose-gc`; a no-op otherwise. */
export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc
  if (collect) {
    collect()
    collect()
  }
}

/** Holds a candidate's result while it is timed, so the work is observable and cannot be skipped. */
export let sink: unknown = null

/**
 * Run each candidate `runs` times, interleaved (A B C, C B A, ...) so machine noise from other
 * processes hits every candidate alike, after `warmup` untimed rounds. A candidate's return value
 * is held until its timing ends (so the work cannot be skipped) and released before the next
 * candidate, which starts after a full GC. Returns every sample in ms.
 */
export function interleave<K extends string>(
  candidates: Record<K, () => unknown>,
  runs: number,
  warmup = 1,
): Record<K, number[]> {
  const names = Object.keys(candidates) as K[]
  const samples = Object.fromEntries(names.map(n => [n, [] as number[]])) as Record<K, number[]>
  for (let round = 0; round < warmup + runs; round++) {
    // Alternate the order: position alone (heap state, JIT) moved a candidate by up to ±20 %.
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      gc()
      const start = process.hrtime.bigint()
      sink = candidates[name]()
      const ms = Number(process.hrtime.bigint() - start) / 1e6
      sink = null
      if (round >= warmup) samples[name].push(ms)
    }
  }
  return samples
}

/** The machine a result was measured on. */
export interface MachineInfo {
  node: string
  v8: string
  platform: string
  arch: string
  cpu: string
  cores: number
  memoryGiB: number
}

export function machineInfo(): MachineInfo {
  const cpu = cpus()
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30 * 10) / 10,
  }
}

/** Round to `digits` significant figures for display and JSON. */
export function sig(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value
  return Number(value.toPrecision(digits))
}

/** Render rows as an aligned plain-text table. */
export function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [headers, ...rows.map(r => r.map(String))]
  const widths = headers.map((_, i) => Math.max(...cells.map(r => (r[i] ?? '').length)))
  const line = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
  return [line(cells[0] ?? []), widths.map(w => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n')
}

/** Whether this module is the script Node was started with. */
export function isMain(url: string): boolean {
  const entry = process.argv[1]
  return entry !== undefined && fileURLToPath(url) === resolve(entry)
}
