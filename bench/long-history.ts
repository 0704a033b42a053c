/**
 * 8. Long histories in the playground, in real Chromium. The built playground (`nuxi build
 * playground`) is pointed at the library's test server (`createChatServer`), which holds a
 * conversation of N messages per size and waits `historyReadDelayMs` before the history like a
 * slow database query. Each open is a reload of `/?with=<peer>`; times are on the page's clock
 * (ms since navigation start):
 *
 * - first frame: the first WebSocket message event; first shown: the animation frame that first
 *   painted a message in the viewport; last frame; live: the status `live` with all N messages counted;
 * - false live: `live` with fewer than N (an empty conversation shown while history was coming);
 * - connections: WebSocket handshakes the server saw during the open;
 * - longest task and total of long tasks (PerformanceObserver `longtask`, from navigation start
 *   until shortly after `live`).
 *
 * Side by side, in the same run, the floor: a blank page with a raw WebSocket, `JSON.parse` and a
 * text node appended per message. Median of BENCH_RUNS (default 5) opens per size and candidate,
 * interleaved. `LONG_HISTORY_PROFILE=10000` adds one profiled open of that size (CDP `Profiler`)
 * and summarises its long tasks by source function (bench/.tmp/long-history-<N>.cpuprofile).
 * `LONG_HISTORY_CHROME_TRACE=1` (with `LONG_HISTORY_PROFILE`) first traces one open with Chromium's
 * tracing and prints its long tasks: the work inside each and the time its thread ran.
 * `LONG_HISTORY_TRACE=1` prints each open's page record (frames, states, times) to stderr.
 *
 *   LONG_HISTORY_N=1000,10000,50000 E2E_REUSE_BUILD=1 node --import tsx bench/long-history.ts
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { createChatServer, createMemoryStore, DEFAULT_USERS } from '../src/testing/index'
import type { ChatServer, TestUser } from '../src/testing/index'
import buildPlayground from '../test/e2e/global-setup'
import { CHROMIUM, launchBrowser, Playground, signIn } from '../test/e2e/harness'
import { longTraceTasks, TRACE_CATEGORIES, type TraceEvent } from './lib/chromium-trace'
import { sourceNamer, summariseProfile, type CpuProfile, type ProfileSummary, type SourceMap } from './lib/chromium-profile'
import { conversation, PEER_ID } from './lib/frames'
import { CLOCK_MARK, FLOOR_HTML, INSTRUMENT, type PageRecord } from './lib/long-history-page'
import { isMain, medianOf, table } from './lib/stats'

export interface LongHistoryOpen {
  firstFrameMs: number | null
  firstShownMs: number | null
  lastFrameMs: number | null
  /** Playground: `live` with every message counted; floor: the last message appended. */
  doneMs: number
  falseLive: boolean
  connections: number
  longestTaskMs: number
  /** When the longest task ran: before the first frame, while frames arrived, or from the last frame on. */
  longestTaskDuring: 'start' | 'frames' | 'end' | null
  /** The longest task from the first frame on: while the history arrives or goes live (0: none over 50 ms). */
  longestHistoryTaskMs: number
  longTasksMs: number
}

export interface LongHistoryFigure {
  firstFrameMs: number
  firstShownMs: number
  shownAfterFirstFrameMs: number
  lastFrameMs: number
  doneMs: number
  doneAfterLastFrameMs: number
  falseLives: number
  connections: number
  longestTaskMs: number
  /** The phase the longest task fell in most often. */
  longestTaskDuring: LongHistoryOpen['longestTaskDuring']
  longestHistoryTaskMs: number
  longTasksMs: number
  runs: LongHistoryOpen[]
}

export interface LongHistorySize {
  n: number
  floor: LongHistoryFigure
  playground: LongHistoryFigure
  /** One more open of the playground under the CPU profiler (slower than the timed ones). */
  profile?: { open: LongHistoryOpen, summary: ProfileSummary }
}

export type LongHistoryResult =
  | { skipped: string }
  | {
    /** ISO time of the run (the docs quote it: this scenario may be rerun on its own). */
    date: string
    browser: string
    historyReadDelayMs: number
    replayQuietMs: number
    /** 1-minute load average before and after: the machine's other work lengthens tasks too. */
    loadAverage: [number, number]
    sizes: LongHistorySize[]
  }

const root = fileURLToPath(new URL('..', import.meta.url))
const HISTORY_READ_DELAY_MS = 400
const REPLAY_QUIET_MS = 300
const OPEN_TIMEOUT_MS = 180_000
// After `live`, long enough for the task that rendered it to be reported and a stray second
// connection to show up at the server.
const SETTLE_MS = 1000
const SELF: TestUser = DEFAULT_USERS[0]!
const PROFILE_INTERVAL_US = 200

/** One peer per size, each with its own conversation with SELF. */
function peers(sizes: readonly number[]): TestUser[] {
  return sizes.map((n, i) => ({ id: 2 + i, email: `peer${n}@example.com`, password: `peer${n}pw`, role: 'parent', first_name: 'Peer', last_name: String(n) }))
}

function serveFloor(): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end(FLOOR_HTML)
  })
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(server)))
}

async function newPage(browser: Browser): Promise<{ context: BrowserContext, page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } })
  context.setDefaultTimeout(OPEN_TIMEOUT_MS)
  const page = await context.newPage()
  await page.addInitScript(INSTRUMENT)
  return { context, page }
}

const read = (page: Page) => page.evaluate(() => (window as unknown as { __bench: PageRecord }).__bench)

/** Reload (or first load) and wait until the page is done with the history; the figures of that open. */
async function open(page: Page, chat: ChatServer, n: number, kind: 'floor' | 'playground', first: () => Promise<unknown>): Promise<LongHistoryOpen> {
  const handshakes = chat.stats.handshakes
  await first()
  if (kind === 'floor') {
    await page.waitForFunction(() => (window as unknown as { __bench: PageRecord }).__bench.floorDone !== null, undefined, { timeout: OPEN_TIMEOUT_MS, polling: 100 })
  }
  else {
    await page.waitForFunction(total => (window as unknown as { __bench: PageRecord }).__bench.states.some(([, s, c]) => s === 'live' && c === total), n, { timeout: OPEN_TIMEOUT_MS, polling: 100 })
  }
  await page.evaluate(ms => new Promise(resolve => setTimeout(resolve, ms)), SETTLE_MS)
  const record = await read(page)
  if (process.env.LONG_HISTORY_TRACE) process.stderr.write(`${kind} ${n}: ${JSON.stringify({ ...record, longTasks: record.longTasks.length })}\n`)
  const done = kind === 'floor' ? record.floorDone! : record.states.find(([, s, c]) => s === 'live' && c === n)![0]
  const longest = record.longTasks.reduce<[number, number] | null>((max, task) => (!max || task[1] > max[1] ? task : max), null)
  const during = (start: number): LongHistoryOpen['longestTaskDuring'] =>
    start < (record.firstFrame ?? Number.POSITIVE_INFINITY) ? 'start' : start < (record.lastFrame ?? 0) ? 'frames' : 'end'
  return {
    firstFrameMs: record.firstFrame,
    firstShownMs: record.firstShown,
    lastFrameMs: record.lastFrame,
    doneMs: done,
    falseLive: record.states.some(([t, s, c]) => s === 'live' && c !== n && t < done),
    connections: chat.stats.handshakes - handshakes,
    longestTaskMs: longest?.[1] ?? 0,
    longestTaskDuring: longest ? during(longest[0]) : null,
    longestHistoryTaskMs: Math.max(0, ...record.longTasks.filter(([start]) => start >= (record.firstFrame ?? Number.POSITIVE_INFINITY)).map(([, d]) => d)),
    longTasksMs: record.longTasks.reduce((sum, [, d]) => sum + d, 0),
  }
}

function mostOften<T>(values: readonly T[]): T | null {
  const counts = new Map<T, number>()
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1)
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null
}

function figure(runs: LongHistoryOpen[]): LongHistoryFigure {
  const med = (pick: (r: LongHistoryOpen) => number | null) => medianOf(runs, pick)
  return {
    firstFrameMs: med(r => r.firstFrameMs),
    firstShownMs: med(r => r.firstShownMs),
    shownAfterFirstFrameMs: med(r => (r.firstShownMs === null || r.firstFrameMs === null ? null : r.firstShownMs - r.firstFrameMs)),
    lastFrameMs: med(r => r.lastFrameMs),
    doneMs: med(r => r.doneMs),
    doneAfterLastFrameMs: med(r => (r.lastFrameMs === null ? null : r.doneMs - r.lastFrameMs)),
    falseLives: runs.filter(r => r.falseLive).length,
    connections: med(r => r.connections),
    longestTaskMs: med(r => r.longestTaskMs),
    longestHistoryTaskMs: med(r => r.longestHistoryTaskMs),
    longestTaskDuring: mostOften(runs.map(r => r.longestTaskDuring)),
    longTasksMs: med(r => r.longTasksMs),
    runs,
  }
}

/** Source maps of the built playground's client bundles, by the URL the page loaded them from. */
function playgroundMap(url: string): SourceMap | null {
  const file = /\/_nuxt\/[^/?#]+\.js/.exec(url)?.[0]
  const path = file ? `${root}playground/.output/public${file}.map` : ''
  return path && existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) as SourceMap : null
}

/**
 * `LONG_HISTORY_CHROME_TRACE=1`: one open under Chromium's tracing first, its long tasks printed
 * with the work inside them and the time the thread ran (bench/.tmp/long-history-<N>.trace.json,
 * loadable in DevTools' Performance panel).
 */
async function traceOpen(page: Page, chat: ChatServer, n: number): Promise<void> {
  const browser = page.context().browser()!
  await browser.startTracing(page, { categories: TRACE_CATEGORIES })
  let trace: { traceEvents: TraceEvent[] }
  try {
    await open(page, chat, n, 'playground', () => page.reload())
  }
  finally {
    trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] }
  }
  mkdirSync(`${root}bench/.tmp`, { recursive: true })
  writeFileSync(`${root}bench/.tmp/long-history-${n}.trace.json`, JSON.stringify(trace))
  const ran = (v: number | null): string => (v === null ? '' : ` (${v} ran)`)
  for (const t of longTraceTasks(trace.traceEvents)) {
    process.stderr.write(`trace: task at ${t.startMs} ms: ${t.wallMs} ms${ran(t.threadMs)}; ${t.work.map(w => `${w.kind} ${w.wallMs}${ran(w.threadMs)}`).join(', ')}\n`)
  }
}

/** One more open of the playground under the CPU profiler, its long tasks named by source function. */
async function profileOpen(page: Page, chat: ChatServer, n: number): Promise<{ open: LongHistoryOpen, summary: ProfileSummary }> {
  if (process.env.LONG_HISTORY_CHROME_TRACE === '1') await traceOpen(page, chat, n)
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: PROFILE_INTERVAL_US })
  await cdp.send('Profiler.start')
  const figures = await open(page, chat, n, 'playground', () => page.reload())
  const { profile } = await cdp.send('Profiler.stop') as { profile: CpuProfile }
  const record = await read(page)
  await cdp.detach()
  mkdirSync(`${root}bench/.tmp`, { recursive: true })
  writeFileSync(`${root}bench/.tmp/long-history-${n}.cpuprofile`, JSON.stringify(profile))
  const tasks = [...record.longTasks].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([start, duration]) => ['long task', start, duration] as const)
  // The tasks that changed what the page shows: each status or count change, the last one `live` with all n.
  const around = record.states.filter(([t]) => t > (record.firstFrame ?? 0)).map(([t, status, count]) => [`${status} with ${count} messages`, t] as const)
  const summary = summariseProfile(profile, sourceNamer(playgroundMap), { mark: { functionName: CLOCK_MARK, pageMs: record.clockMark }, tasks, around, intervalMs: PROFILE_INTERVAL_US / 1000 })
  return { open: figures, summary }
}

export async function runLongHistory(sizes: readonly number[], runs: number, profileSize: number | null, log: (line: string) => void = () => {}): Promise<LongHistoryResult> {
  if (!existsSync(CHROMIUM)) return { skipped: `Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)` }
  buildPlayground()
  const users = [SELF, ...peers(sizes)]
  const store = createMemoryStore()
  for (const [i, n] of sizes.entries()) {
    const peer = users[i + 1]!
    for (const m of conversation(n, 42 + i)) {
      const mine = m.senderId !== PEER_ID
      await store.append({ sender_id: mine ? SELF.id : peer.id, reciever_id: mine ? peer.id : SELF.id, content: m.content, createdAt: m.time, micros: m.micros, is_read: false })
    }
  }
  const chat = await createChatServer({ users, store, historyReadDelayMs: HISTORY_READ_DELAY_MS, pingIntervalMs: 0 })
  // A first open with nothing cached is the case measured here (bench/history-cache.ts has the cache).
  const playground = new Playground({ accessTtlSeconds: 3600, backendUrl: chat.url, env: { NUXT_PUBLIC_CHAT_HISTORY_CACHE_ENABLED: 'false' } })
  const floorServer = await serveFloor()
  const floorOrigin = `http://127.0.0.1:${(floorServer.address() as AddressInfo).port}/`
  let browser: Browser | null = null
  const load = loadavg()[0] ?? 0
  try {
    ;[browser] = await Promise.all([launchBrowser(), playground.start()])
    const out: LongHistorySize[] = []
    for (const [i, n] of sizes.entries()) {
      const peer = users[i + 1]!
      const ours = await newPage(browser)
      const floor = await newPage(browser)
      try {
        await signIn(ours.page, playground.url, 'student')
        const floorUrl = `${floorOrigin}#${new URLSearchParams({ n: String(n), ws: `${chat.wsUrl}/ws/chat/${peer.id}/?token=${chat.issueTokens(SELF.id).access}` })}`
        // Untimed first opens: code and bundles cached, as on a reload.
        await open(ours.page, chat, n, 'playground', () => ours.page.goto(`${playground.url}/?with=${peer.id}`))
        await open(floor.page, chat, n, 'floor', () => floor.page.goto(floorUrl))
        const all = { floor: [] as LongHistoryOpen[], playground: [] as LongHistoryOpen[] }
        for (let r = 0; r < runs; r++) {
          // Alternate which goes first, so neither always follows the other's garbage.
          for (const kind of (r % 2 ? ['playground', 'floor'] : ['floor', 'playground']) as Array<'floor' | 'playground'>) {
            const page = kind === 'floor' ? floor.page : ours.page
            all[kind].push(await open(page, chat, n, kind, () => page.reload()))
          }
          log(`  ${n}: run ${r + 1}/${runs}`)
        }
        const size: LongHistorySize = { n, floor: figure(all.floor), playground: figure(all.playground) }
        if (profileSize === n) size.profile = await profileOpen(ours.page, chat, n)
        out.push(size)
      }
      finally {
        await ours.context.close()
        await floor.context.close()
      }
    }
    return { date: new Date().toISOString(), browser: `Chromium ${browser.version()} (headless)`, historyReadDelayMs: HISTORY_READ_DELAY_MS, replayQuietMs: REPLAY_QUIET_MS, loadAverage: [load, loadavg()[0] ?? 0], sizes: out }
  }
  finally {
    await browser?.close()
    await playground.dispose()
    await chat.close()
    await new Promise(resolve => floorServer.close(resolve))
  }
}

const ms = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(0))

/** The figures as a table, floor and playground per size. */
export function longHistoryTable(result: Exclude<LongHistoryResult, { skipped: string }>): string {
  return table(
    ['N', 'candidate', 'first frame', 'first shown', 'shown − first frame', 'last frame', 'live / all shown', 'live − last frame', 'false live', 'connections', 'longest task', 'during', 'longest from first frame', 'long tasks total'],
    result.sizes.flatMap(s => ([['floor (raw WebSocket + text nodes)', s.floor], ['playground', s.playground]] as const).map(([name, f]) => [
      s.n, name, ms(f.firstFrameMs), ms(f.firstShownMs), ms(f.shownAfterFirstFrameMs), ms(f.lastFrameMs), ms(f.doneMs), ms(f.doneAfterLastFrameMs),
      name === 'playground' ? `${f.falseLives}/${f.runs.length}` : '-', f.connections, ms(f.longestTaskMs), f.longestTaskMs ? f.longestTaskDuring ?? '-' : '-', ms(f.longestHistoryTaskMs), ms(f.longTasksMs),
    ])),
  )
}

/** The profiled open: where its busy time went, and what its longest tasks did. */
export function profileReport(n: number, profile: NonNullable<LongHistorySize['profile']>): string {
  const { open: o, summary } = profile
  const lines = [
    `CPU profile of one open of ${n} (under the profiler, so slower): first frame ${ms(o.firstFrameMs)} ms, last frame ${ms(o.lastFrameMs)} ms, live ${ms(o.doneMs)} ms, ${o.connections} connection(s); main thread busy ${summary.busyMs} ms`,
    'whole open, with the function on the stack (inclusive):', table(['function', 'ms'], summary.inclusive),
    'whole open, self:', table(['function', 'ms'], summary.self),
  ]
  for (const t of summary.tasks) {
    lines.push(`\n${t.label}: task at ${t.startMs} ms, ${t.durationMs} ms; inclusive:`, table(['function', 'ms'], t.inclusive), 'self:', table(['function', 'ms'], t.self))
  }
  return lines.join('\n')
}

if (isMain(import.meta.url)) {
  const sizes = (process.env.LONG_HISTORY_N ?? '1000,10000,50000').split(',').map(Number)
  const profile = process.env.LONG_HISTORY_PROFILE ? Number(process.env.LONG_HISTORY_PROFILE) : null
  const started = Date.now()
  const result = await runLongHistory(sizes, Number(process.env.BENCH_RUNS ?? 5), profile, line => process.stderr.write(`${line}\n`))
  if ('skipped' in result) {
    process.stderr.write(`skipped: ${result.skipped}\n`)
  }
  else {
    process.stderr.write(`${result.browser}, history read delay ${result.historyReadDelayMs} ms, replay quiet ${result.replayQuietMs} ms, load average ${result.loadAverage.map(l => l.toFixed(1)).join(' → ')}; ms from navigation start, medians\n`)
    process.stderr.write(`${longHistoryTable(result)}\n`)
    for (const s of result.sizes) if (s.profile) process.stderr.write(`\n${profileReport(s.n, s.profile)}\n`)
    process.stderr.write(`\n${Math.round((Date.now() - started) / 1000)} s\n`)
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
  process.exit(0)
}
