/**
 * `npm run bench`: every scenario in its own child process (a clean heap each), each figure side by
 * side with its baseline from the same run, medians of BENCH_RUNS (default 5) runs. Prints the
 * tables, writes bench/results.json and bench/ingest.svg. Timings are reported, never asserted.
 *
 *   BENCH_RUNS=5 BENCH_ONLY=ingest,size node --expose-gc --import tsx bench/run.ts
 *
 * With BENCH_ONLY, bench/results.json keeps the other scenarios' figures from earlier runs (`dates`
 * says when each was measured).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { HistoryCacheResult } from './history-cache'
import { historyCacheTable } from './history-cache'
import type { LongHistoryFigure, LongHistoryResult, LongHistorySize } from './long-history'
import { longHistoryTable } from './long-history'
import type { BrowserBurstResult } from './scenarios/browser-burst'
import type { BurstResult } from './scenarios/burst'
import type { IngestResult } from './scenarios/ingest'
import type { MemoryResult } from './scenarios/memory'
import type { ReconnectResult } from './scenarios/reconnect'
import type { ReplayResult } from './scenarios/replay'
import { ingestSvg } from './lib/svg'
import { machineInfo, sig, table } from './lib/stats'
import { MINIMAL_APP_BUDGET, measureSizes, sizeTable, type SizeResult } from './size'

const here = fileURLToPath(new URL('.', import.meta.url))
const root = fileURLToPath(new URL('..', import.meta.url))
const runs = Number(process.env.BENCH_RUNS ?? 5)
const only = process.env.BENCH_ONLY?.split(',')
const wanted = (name: string) => !only || only.includes(name)
const started = Date.now()
const log = (text: string) => process.stdout.write(`${text}\n`)

/** BENCH_ONLY selects scenarios here; a child must not read it as its own filter. */
const { BENCH_ONLY: _only, ...childEnv } = process.env

/** Run one scenario script in a fresh Node (production Vue build, exposed GC); parse its JSON line. */
function scenario<T>(name: string, file = `scenarios/${name}.ts`, timeoutMinutes = 5): T | { error: string } {
  const t = Date.now()
  process.stdout.write(`… ${name}`)
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', `${here}${file}`], {
    cwd: root,
    env: { ...childEnv, NODE_ENV: 'production', BENCH_RUNS: String(runs) },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutMinutes * 60_000,
  })
  process.stdout.write(` ${((Date.now() - t) / 1000).toFixed(1)} s\n`)
  const line = child.stdout.trim().split('\n').pop() ?? ''
  try {
    return JSON.parse(line) as T
  }
  catch {
    return { error: `${name} failed (exit ${child.status}): ${(child.stderr || child.stdout).trim().split('\n').slice(-5).join(' | ')}` }
  }
}

const failed = (r: unknown): r is { error: string } => typeof r === 'object' && r !== null && 'error' in r
const ms = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(0))
const x = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '-' : `${v.toFixed(2)}x`)

const machine = machineInfo()
log(`vue-realtime-chat benchmarks: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node} (V8 ${machine.v8}), ${machine.platform}/${machine.arch}`)
log(`median of ${runs} runs per figure; every scenario in its own process with NODE_ENV=production and --expose-gc\n`)

const ingest = wanted('ingest') ? scenario<IngestResult>('ingest') : null
const replay = wanted('replay') ? scenario<ReplayResult>('replay') : null
const memory = wanted('memory') ? scenario<MemoryResult>('memory') : null
const burst = wanted('burst') ? scenario<BurstResult>('burst') : null
const reconnect = wanted('reconnect') ? scenario<ReconnectResult>('reconnect') : null
const browserBurst = wanted('browser-burst') ? scenario<BrowserBurstResult>('browser-burst') : null
// Builds the playground first (E2E_REUSE_BUILD=1 reuses playground/.output), then ~6 min on 2 cores.
const longHistory = wanted('long-history') ? scenario<LongHistoryResult>('long-history', 'long-history.ts', 20) : null
// Two built playgrounds behind a 1.6 Mbit/s link: each open streams the whole history (~10 s at 10k).
const historyCache = wanted('history-cache') ? scenario<HistoryCacheResult>('history-cache', 'history-cache.ts', 20) : null
const sizes: SizeResult[] | null = wanted('size') ? await measureSizes() : null

interface Target { target: string; measured: string; met: boolean | null }
const targets: Target[] = []

if (ingest) {
  log('\n1. History ingest (decode + Timeline replay + Pinia store snapshot) vs JSON.parse floor and the backend integration guide\'s Vue example')
  if (failed(ingest)) log(ingest.error)
  else {
    if (ingest.unavailable) log(`ours: ${ingest.unavailable}`)
    log(table(
      ['N', 'floor ms', 'ours ms', 'guide ms', 'floor µs/frame', 'ours µs/frame', 'guide µs/frame', 'ours/floor', 'guide/floor', 'ours msgs'],
      ingest.sizes.map(p => [p.n, ms(p.floorMs), ms(p.oursMs), ms(p.guideMs), ms(p.floorPerFrameUs), ms(p.oursPerFrameUs), ms(p.guidePerFrameUs), x(p.oursVsFloor), x(p.guideVsFloor), p.oursMessages ?? '-']),
    ))
    const g = ingest.growthExponent
    log(`growth exponent k (time ∝ N^k, 1k→100k): floor ${sig(g.floor)}, ours ${g.ours === null ? '-' : sig(g.ours)}, guide ${sig(g.guide)}`)
    const at100k = ingest.sizes.find(p => p.n === 100_000)
    targets.push({ target: 'ingest ≤ 2× floor at 100k', measured: x(at100k?.oursVsFloor), met: at100k?.oursVsFloor == null ? null : at100k.oursVsFloor <= 2 })
    targets.push({ target: 'ingest linear in N (k ≤ floor k + 0.1)', measured: `k = ${g.ours === null ? '-' : sig(g.ours)} (floor ${sig(g.floor)})`, met: g.ours === null ? null : g.ours <= g.floor + 0.1 })
  }
}

if (replay) {
  log('\n2. Reconnect replay: live timeline of N + full replay of N + 1% (half of the new ones own sends whose echo was lost)')
  if (failed(replay)) log(replay.error)
  else {
    if (replay.unavailable) log(`ours: ${replay.unavailable}`)
    log(table(
      ['N', 'replayed', 'floor ms', 'ours ms', 'ours/floor', 'messages after', 'distinct ids', 'same order as server', 'confirmed', 'inserted', 'removed', 'requeued', 'duplicates'],
      replay.sizes.map(p => [p.n, p.n + p.newMessages, ms(p.floorMs), ms(p.oursMs), x(p.oursVsFloor),
        p.check ? `${p.check.actual}/${p.check.expected}` : '-', p.check?.distinctIds ?? '-', p.check ? String(p.check.sameOrderAsServer) : '-',
        p.check?.confirmed ?? '-', p.check?.inserted ?? '-', p.check?.removed ?? '-', p.check?.requeued ?? '-',
        p.check ? p.check.actual - p.check.expected : '-']),
    ))
    const at100k = replay.sizes.find(p => p.n === 100_000)
    targets.push({ target: 'reconnect replay ≤ 3× floor at 100k', measured: x(at100k?.oursVsFloor), met: at100k?.oursVsFloor == null ? null : at100k.oursVsFloor <= 3 })
    const clean = replay.sizes.every(p => p.check && p.check.actual === p.check.expected && p.check.distinctIds === p.check.actual && p.check.sameOrderAsServer)
    targets.push({ target: 'replay: no duplicate, nothing lost, server order', measured: replay.sizes.map(p => p.check ? `${p.check.actual}/${p.check.expected}` : '-').join(', '), met: replay.unavailable ? null : clean })
  }
}

if (memory) {
  log('\n4. Memory: retained heap per stored message at 100k messages vs wire JSON bytes')
  if (failed(memory)) log(memory.error)
  else {
    const rows: Array<[string, MemoryResult['floor'] | null]> = [['JSON.parse objects (floor)', memory.floor], ['guide: ref array of objects', memory.guide], ['ours: Timeline + ChatMessage', memory.ours]]
    log(table(['candidate', 'bytes/message', 'vs wire bytes'], [['wire JSON (UTF-8)', sig(memory.wireBytesPerFrame), '1.00x'], ...rows.map(([name, f]) => [name, f ? sig(f.bytesPerMessage) : '-', x(f?.vsWire)])]))
    targets.push({ target: 'retained heap ≤ 3× wire bytes', measured: memory.ours ? `${sig(memory.ours.bytesPerMessage)} B = ${x(memory.ours.vsWire)}` : '-', met: memory.ours ? memory.ours.vsWire <= 3 : null })
  }
}

if (burst) {
  log('\n3. Live burst: 10k live frames back to back into a mounted component (happy-dom), real sockets from the test server')
  if (failed(burst)) log(burst.error)
  else {
    log(table(
      ['candidate', 'until last message in DOM ms', 'vs floor', 'renders', 'reactive updates'],
      [
        ['raw ws + JSON.parse (floor)', ms(burst.floor.medianMs), '1.00x', '-', '-'],
        ['guide: ref array push per frame', ms(burst.guide.medianMs), x(burst.guideVsFloor), burst.guide.medianRenders, burst.guide.medianReactiveUpdates],
        ['ours: useChat', ms(burst.ours.medianMs), x(burst.oursVsFloor), burst.ours.medianRenders, burst.ours.medianReactiveUpdates],
      ],
    ))
  }
}

if (reconnect) {
  log('\n6. Reconnect time: server back → live, → empty outbox (one message queued while down)')
  if (failed(reconnect)) log(reconnect.error)
  else {
    log(`backoff base ${reconnect.baseDelayMs} ms (full jitter), replay quiet ${reconnect.replayQuietMs} ms, ${reconnect.historyMessages} messages of history`)
    log(table(
      ['trigger', 'to live ms', 'to empty outbox ms', 'backoff ceiling ms', 'replay quiet ms'],
      [
        ['server.start() while backing off', ms(reconnect.restart.medianToLiveMs), ms(reconnect.restart.medianToEmptyOutboxMs), ms(reconnect.restart.medianCeilingMs), reconnect.replayQuietMs],
        ['online signal after server.start()', ms(reconnect.online.medianToLiveMs), ms(reconnect.online.medianToEmptyOutboxMs), '0 (no backoff)', reconnect.replayQuietMs],
      ],
    ))
  }
}

if (browserBurst) {
  log('\n7. Live burst in real Chromium (headless): core bundled by esbuild in a page, real test server, raw peer bursting; notify strategies side by side')
  if (failed(browserBurst)) log(browserBurst.error)
  else if ('skipped' in browserBurst) log(`skipped: ${browserBurst.skipped}`)
  else {
    log(browserBurst.browser)
    const rows = browserBurst.sizes.flatMap(s => ([
      ['raw WebSocket + JSON.parse (floor)', s.floor],
      ["core, notify: 'microtask'", s.microtask],
      ["core, notify: 'timeout' (default)", s.timeout],
    ] as const).map(([name, f]) => [s.n, name, ms(f.medianMs), f.medianFrames, f.medianNotifications, ms(f.medianScriptMs), ms(f.medianTaskMs)]))
    log(table(['N', 'candidate', 'until all N shown ms', 'message events', 'notifications', 'script ms', 'main-thread task ms'], rows))
    const at10k = browserBurst.sizes.find(s => s.n === 10_000)
    if (at10k) targets.push({ target: 'one reactive update per burst in Chromium (10k, default notify: notifications ≤ 1% of frames)', measured: `${at10k.timeout.medianNotifications} for ${at10k.timeout.medianFrames} frames`, met: at10k.timeout.medianNotifications <= at10k.timeout.medianFrames / 100 })
  }
}

if (longHistory) {
  log('\n8. Long histories in the playground (real Chromium, built playground against the test server, a slow first history read): ms from navigation start')
  if (failed(longHistory)) log(longHistory.error)
  else if ('skipped' in longHistory) log(`skipped: ${longHistory.skipped}`)
  else {
    log(`${longHistory.browser}, history read delay ${longHistory.historyReadDelayMs} ms, replay quiet ${longHistory.replayQuietMs} ms, load average ${longHistory.loadAverage.map(l => l.toFixed(1)).join(' → ')}`)
    log(longHistoryTable(longHistory))
    const { sizes: opened, replayQuietMs } = longHistory
    const each = (pick: (s: LongHistorySize) => string) => opened.map(pick).join(', ')
    const all = (ok: (f: LongHistoryFigure) => boolean) => opened.every(s => ok(s.playground))
    targets.push({ target: 'long history: first message on screen ≤ 50 ms after the first frame', measured: each(s => `${s.n}: ${ms(s.playground.shownAfterFirstFrameMs)} ms`), met: all(f => f.shownAfterFirstFrameMs <= 50) })
    targets.push({ target: 'long history: exactly one connection per open', measured: each(s => `${s.n}: ${s.playground.connections}`), met: all(f => f.connections === 1 && f.runs.every(r => r.connections === 1)) })
    targets.push({ target: 'long history: longest main-thread task ≤ 50 ms while the history arrives or goes live', measured: each(s => `${s.n}: ${s.playground.longestHistoryTaskMs ? `${ms(s.playground.longestHistoryTaskMs)} ms` : 'none over 50 ms'}`), met: all(f => f.longestHistoryTaskMs <= 50) })
    targets.push({ target: `long history: live within the quiet period (${replayQuietMs} ms, +50 ms timer slack) of the last frame`, measured: each(s => `${s.n}: ${ms(s.playground.doneAfterLastFrameMs)} ms`), met: all(f => f.doneAfterLastFrameMs <= replayQuietMs + 50) })
  }
}

if (historyCache) {
  log('\n9. History cache behind a slow link (real Chromium, built playground, 1.6 Mbit/s each way and 150 ms round trip): ms from navigation start')
  if (failed(historyCache)) log(historyCache.error)
  else if ('skipped' in historyCache) log(`skipped: ${historyCache.skipped}`)
  else {
    log(`${historyCache.browser}, ${historyCache.n} stored messages, the newest ${historyCache.cachedMessages} cached, load average ${historyCache.loadAverage.map(l => l.toFixed(1)).join(' → ')}`)
    log(historyCacheTable(historyCache))
    const { on } = historyCache
    targets.push({ target: `history cache: first messages on screen ≤ 100 ms after the app's mount (${historyCache.n} stored, slow link)`, measured: `${ms(on.shownAfterMountMs)} ms (from the cache in ${on.fromCache}/${on.runs.length} opens)`, met: on.shownAfterMountMs <= 100 && on.fromCache === on.runs.length })
    targets.push({ target: 'history cache: the replay that follows changes nothing in view (unchanged history)', measured: `${on.runs.map(r => r.viewChanges).join(', ')} frames with a change`, met: on.runs.every(r => r.viewChanges === 0) })
  }
}

if (sizes) {
  log('\n5. Bundle size (esbuild bundle+minify, esm, browser, NODE_ENV=production; vue/pinia/@vueuse/core external; gzip -9; 1 kB = 1000 B)')
  log(sizeTable(sizes))
  const app = sizes.find(s => s.budget !== null)
  targets.push({ target: `minimal Vue app ≤ ${MINIMAL_APP_BUDGET / 1000} kB min+gzip`, measured: app?.gzipBytes == null ? '-' : `${(app.gzipBytes / 1000).toFixed(2)} kB`, met: app?.withinBudget ?? null })
}

log('\nTargets')
log(table(['target', 'measured', 'status'], targets.map(t => [t.target, t.measured, t.met === null ? 'n/a' : t.met ? 'met' : 'MISSED'])))

const measured = { ingest, replay, burst, memory, reconnect, browserBurst, longHistory, historyCache, sizes }
const scenarioNames: Record<keyof typeof measured, string> = { ingest: 'ingest', replay: 'replay', burst: 'burst', memory: 'memory', reconnect: 'reconnect', browserBurst: 'browser-burst', longHistory: 'long-history', historyCache: 'history-cache', sizes: 'size' }
const now = new Date().toISOString()
// A partial run keeps what earlier runs measured for the scenarios it left out.
const previous = only && existsSync(`${here}results.json`) ? JSON.parse(readFileSync(`${here}results.json`, 'utf8')) as Record<string, unknown> & { dates?: Record<string, string>, targets?: Target[] } : null
const dates: Record<string, string> = { ...previous?.dates }
const kept: Record<string, unknown> = {}
for (const [key, name] of Object.entries(scenarioNames) as Array<[keyof typeof measured, string]>) {
  if (wanted(name)) dates[key] = now
  else if (previous && previous[key] !== undefined) kept[key] = previous[key]
  dates[key] ??= (previous?.date as string | undefined) ?? now
}
const keptTargets = (previous?.targets ?? []).filter(t => !targets.some(n => n.target.split(':')[0] === t.target.split(':')[0]))
const results = {
  date: now,
  dates,
  machine,
  runsPerFigure: runs,
  durationSeconds: Math.round((Date.now() - started) / 1000),
  targets: [...keptTargets, ...targets],
  ...kept,
  ...Object.fromEntries(Object.entries(measured).filter(([key]) => wanted(scenarioNames[key as keyof typeof measured]))),
}
writeFileSync(`${here}results.json`, `${JSON.stringify(results, null, 2)}\n`)

if (ingest && !failed(ingest)) {
  const series = [
    { name: 'JSON.parse (floor)', color: '#888', dashed: true, points: ingest.sizes.map(p => ({ n: p.n, us: p.floorPerFrameUs })) },
    { name: 'guide Vue example', color: '#d9534f', points: ingest.sizes.map(p => ({ n: p.n, us: p.guidePerFrameUs })) },
    ...(ingest.unavailable ? [] : [{ name: 'vue-realtime-chat', color: '#2f7d5b', points: ingest.sizes.map(p => ({ n: p.n, us: p.oursPerFrameUs ?? 0 })) }]),
  ]
  writeFileSync(`${here}ingest.svg`, ingestSvg(series, `median of ${runs} runs, Node ${machine.node}, ${machine.cpu} (${machine.cores} cores)`))
}
log(`\nwrote bench/results.json${ingest && !failed(ingest) ? ' and bench/ingest.svg' : ''} in ${Math.round((Date.now() - started) / 1000)} s`)
