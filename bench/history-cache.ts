/**
 * 9. The history cache behind a slow link, in real Chromium. The built playground is pointed at the
 * library's test server through a proxy that limits each direction to 1.6 Mbit/s and adds a 150 ms
 * round trip (REST and WebSocket alike). The conversation holds N stored messages (default 10 000);
 * the playground keeps the newest 1000 in its cache. Each open is a reload of `/?with=<peer>` after
 * an untimed first open (bundles in the HTTP cache, the history cache filled); the candidates are the
 * same playground with `historyCache` on and off, interleaved. Times on the page's clock (ms since
 * navigation start):
 *
 * - mounted: the app's `app:mounted` (a performance mark of the playground);
 * - first shown: the animation frame that first painted a message in view; and its source
 *   (`cache` or `replay`: the count's `data-source` at that moment);
 * - live: the status `live` with all N counted;
 * - view changes during the replay: frames, from the first history frame until 1 s after `live`,
 *   after which the messages in view differ from the frame before (a row added, removed, moved or
 *   changed). With the cache and an unchanged history the replay should change nothing in view.
 *
 *   HISTORY_CACHE_N=10000 BENCH_RUNS=5 E2E_REUSE_BUILD=1 node --import tsx bench/history-cache.ts
 *
 * `HISTORY_CACHE_TRACE=1` prints each open's page record to stderr.
 */
import { existsSync } from 'node:fs'
import { loadavg } from 'node:os'
import type { Browser, Page } from 'playwright-core'
import { createChatServer, createMemoryStore, DEFAULT_USERS } from '../src/testing/index'
import type { TestUser } from '../src/testing/index'
import buildPlayground from '../test/e2e/global-setup'
import { CHROMIUM, launchBrowser, Playground, signIn } from '../test/e2e/harness'
import { conversation, PEER_ID } from './lib/frames'
import { INSTRUMENT, type PageRecord } from './lib/long-history-page'
import { isMain, medianOf, table } from './lib/stats'
import { startThrottleProxy } from './lib/throttle-proxy'

/** 1.6 Mbit/s each way, 150 ms round trip: a slow mobile link. */
export const LINK = { bytesPerSecond: 200_000, rttMs: 150 }
const OPEN_TIMEOUT_MS = 120_000
/** After `live`, how long view changes still count as the replay's. */
const AFTER_LIVE_MS = 1000
/** The harness's `student` (signIn signs in as it). */
const SELF: TestUser = DEFAULT_USERS[0]!
const PEER: TestUser = { id: 2, email: 'peer@example.com', password: 'peerpw', role: 'parent', first_name: 'Peer', last_name: 'Long' }

export interface CacheOpen {
  mountedMs: number | null
  firstShownMs: number | null
  /** `data-source` when the first message was shown. */
  shownFrom: string | null
  firstFrameMs: number | null
  liveMs: number
  viewChanges: number
  connections: number
}

export interface CacheFigure {
  mountedMs: number
  firstShownMs: number
  shownAfterMountMs: number
  liveMs: number
  viewChanges: number
  /** How many opens showed their first message from the cache. */
  fromCache: number
  runs: CacheOpen[]
}

export type HistoryCacheResult =
  | { skipped: string }
  | { date: string, browser: string, n: number, cachedMessages: number, link: typeof LINK, loadAverage: [number, number], on: CacheFigure, off: CacheFigure }

const read = (page: Page) => page.evaluate(() => ({
  ...(window as unknown as { __bench: PageRecord }).__bench,
  mounted: performance.getEntriesByName('app:mounted')[0]?.startTime ?? null,
}))

async function open(page: Page, n: number, handshakes: () => number, go: () => Promise<unknown>): Promise<CacheOpen> {
  const before = handshakes()
  await go()
  await page.waitForFunction(total => (window as unknown as { __bench: PageRecord }).__bench.states.some(([, s, c]) => s === 'live' && c === total), n, { timeout: OPEN_TIMEOUT_MS, polling: 100 })
  await page.evaluate(ms => new Promise(resolve => setTimeout(resolve, ms)), AFTER_LIVE_MS + 200)
  const r = await read(page)
  if (process.env.HISTORY_CACHE_TRACE) process.stderr.write(`${JSON.stringify({ ...r, longTasks: r.longTasks.length, entries: await page.evaluate(() => (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter(e => e.name.includes('_nuxt')).map(e => [e.name.split('/').pop(), Math.round(e.startTime), Math.round(e.responseEnd)])) })}\n`)
  const live = r.states.find(([, s, c]) => s === 'live' && c === n)![0]
  const shownFrom = r.firstShown === null ? null : [...r.sources].reverse().find(([t]) => t <= r.firstShown! + 1)?.[1] ?? null
  const from = r.firstFrame ?? live
  return {
    mountedMs: r.mounted,
    firstShownMs: r.firstShown,
    shownFrom,
    firstFrameMs: r.firstFrame,
    liveMs: live,
    viewChanges: r.viewChanges.filter(t => t >= from && t <= live + AFTER_LIVE_MS).length,
    connections: handshakes() - before,
  }
}

function figure(runs: CacheOpen[]): CacheFigure {
  const med = (pick: (r: CacheOpen) => number | null) => medianOf(runs, pick)
  return {
    mountedMs: med(r => r.mountedMs),
    firstShownMs: med(r => r.firstShownMs),
    shownAfterMountMs: med(r => (r.firstShownMs === null || r.mountedMs === null ? null : r.firstShownMs - r.mountedMs)),
    liveMs: med(r => r.liveMs),
    viewChanges: med(r => r.viewChanges),
    fromCache: runs.filter(r => r.shownFrom === 'cache').length,
    runs,
  }
}

export async function runHistoryCache(n: number, runs: number, log: (line: string) => void = () => {}): Promise<HistoryCacheResult> {
  if (!existsSync(CHROMIUM)) return { skipped: `Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)` }
  buildPlayground()
  const store = createMemoryStore()
  for (const m of conversation(n, 7)) {
    const mine = m.senderId !== PEER_ID
    await store.append({ sender_id: mine ? SELF.id : PEER.id, reciever_id: mine ? PEER.id : SELF.id, content: m.content, createdAt: m.time, micros: m.micros, is_read: true })
  }
  const chat = await createChatServer({ users: [SELF, PEER], store, pingIntervalMs: 0 })
  // HISTORY_CACHE_SEGMENT_BYTES=65536: a link that delivers in bursts, with silences longer than the replay's quiet period.
  const segmentBytes = process.env.HISTORY_CACHE_SEGMENT_BYTES ? Number(process.env.HISTORY_CACHE_SEGMENT_BYTES) : undefined
  const link = await startThrottleProxy({ targetPort: Number(new URL(chat.url).port), ...LINK, ...(segmentBytes ? { segmentBytes } : {}) })
  const backendUrl = `http://127.0.0.1:${link.port}`
  const cachedMessages = 1000
  const playgrounds = {
    on: new Playground({ accessTtlSeconds: 3600, backendUrl, env: { NUXT_PUBLIC_CHAT_HISTORY_CACHE_ENABLED: 'true', NUXT_PUBLIC_CHAT_HISTORY_CACHE_MAX_MESSAGES: String(cachedMessages) } }),
    off: new Playground({ accessTtlSeconds: 3600, backendUrl, env: { NUXT_PUBLIC_CHAT_HISTORY_CACHE_ENABLED: 'false' } }),
  }
  let browser: Browser | null = null
  const load = loadavg()[0] ?? 0
  try {
    ;[browser] = await Promise.all([launchBrowser(), playgrounds.on.start(), playgrounds.off.start()])
    const pages: Partial<Record<'on' | 'off', Page>> = {}
    for (const kind of ['on', 'off'] as const) {
      const context = await browser.newContext({ viewport: { width: 1000, height: 700 } })
      context.setDefaultTimeout(OPEN_TIMEOUT_MS)
      const page = await context.newPage()
      await page.addInitScript(INSTRUMENT)
      await signIn(page, playgrounds[kind].url, 'student')
      // Untimed first open: bundles cached, and (cache on) the newest messages stored.
      await open(page, n, () => chat.stats.handshakes, () => page.goto(`${playgrounds[kind].url}/?with=${PEER.id}`))
      pages[kind] = page
      log(`  ${kind}: first open done`)
    }
    const all = { on: [] as CacheOpen[], off: [] as CacheOpen[] }
    for (let r = 0; r < runs; r++) {
      for (const kind of (r % 2 ? ['on', 'off'] : ['off', 'on']) as Array<'on' | 'off'>) {
        const page = pages[kind]!
        all[kind].push(await open(page, n, () => chat.stats.handshakes, () => page.reload()))
      }
      log(`  run ${r + 1}/${runs}`)
    }
    return { date: new Date().toISOString(), browser: `Chromium ${browser.version()} (headless)`, n, cachedMessages, link: LINK, loadAverage: [load, loadavg()[0] ?? 0], on: figure(all.on), off: figure(all.off) }
  }
  finally {
    await browser?.close()
    await Promise.all([playgrounds.on.dispose(), playgrounds.off.dispose()])
    await link.close()
    await chat.close()
  }
}

const ms = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(0))

/** Cache off and on side by side. */
export function historyCacheTable(result: Exclude<HistoryCacheResult, { skipped: string }>): string {
  return table(
    ['candidate', 'mounted', 'first shown', 'shown − mounted', 'shown from cache', 'live', 'view changes during the replay'],
    ([['historyCache off', result.off], [`historyCache on (newest ${result.cachedMessages})`, result.on]] as const).map(([name, f]) => [
      name, ms(f.mountedMs), ms(f.firstShownMs), ms(f.shownAfterMountMs), `${f.fromCache}/${f.runs.length}`, ms(f.liveMs), f.viewChanges,
    ]),
  )
}

if (isMain(import.meta.url)) {
  const started = Date.now()
  const result = await runHistoryCache(Number(process.env.HISTORY_CACHE_N ?? 10_000), Number(process.env.BENCH_RUNS ?? 5), line => process.stderr.write(`${line}\n`))
  if ('skipped' in result) {
    process.stderr.write(`skipped: ${result.skipped}\n`)
  }
  else {
    process.stderr.write(`${result.browser}, ${result.n} messages, link ${result.link.bytesPerSecond * 8 / 1e6} Mbit/s and ${result.link.rttMs} ms round trip, load average ${result.loadAverage[0].toFixed(1)} → ${result.loadAverage[1].toFixed(1)}; ms from navigation start, medians of ${result.on.runs.length}\n`)
    process.stderr.write(`${historyCacheTable(result)}\n\n${((Date.now() - started) / 1000).toFixed(0)} s\n`)
    process.stdout.write(`${JSON.stringify(result)}\n`)
  }
}
