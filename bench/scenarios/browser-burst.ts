/**
 * 7. Live burst in real Chromium: how the core's `notify` batching behaves when every WebSocket
 * message is its own browser task (in Node + ws one socket read carries many frames, so a microtask
 * already coalesces them; in a browser it may not). The core (`src/core/index.ts`, bundled by
 * esbuild) runs in a headless Chromium page served from 127.0.0.1 and connects to a real
 * `createChatServer` in this process; a raw `ws` peer sends N messages back to back.
 *
 * Per candidate (`notify: 'microtask'`, `notify: 'timeout'`, and a raw browser WebSocket doing only
 * `JSON.parse` as the floor): subscriber notifications during the burst, time from the first send
 * until a notification shows all N messages, and main-thread script/task time during the burst
 * (each notification after new messages rebuilds the snapshot: an O(N) copy of the list).
 * Skipped, with the reason printed, when Chromium is missing.
 *
 *   BROWSER_BURST_N=1000,10000 CHROMIUM_PATH=/usr/bin/chromium node --import tsx bench/scenarios/browser-burst.ts
 */
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { chromium, type Browser, type Page } from 'playwright-core'
import { createChatServer, type ChatServer } from '../../src/testing/index'
import type { BrowserCandidate, BurstWindow, PageArgs, PageDone } from '../lib/browser-burst-page'
import { messageText, PEER_ID, prng, SELF_ID } from '../lib/frames'
import { isMain, median } from '../lib/stats'
import { closeSocket, openSocket } from '../lib/sockets'

export type { BrowserCandidate } from '../lib/browser-burst-page'

export interface BrowserBurstRun {
  /** First send (Node) → the notification (or, for the floor, the message event) that completes N. */
  ms: number
  /** Subscriber calls during the burst (floor: message events handled). */
  notifications: number
  /** WebSocket message events the page received during the burst. */
  frames: number
  /** Main-thread ms running script during the burst (CDP `Performance.getMetrics` ScriptDuration delta). */
  scriptMs: number
  /** Main-thread ms busy with tasks of any kind during the burst (CDP TaskDuration delta). */
  taskMs: number
}

export interface BrowserBurstFigure {
  medianMs: number
  medianNotifications: number
  medianFrames: number
  medianScriptMs: number
  medianTaskMs: number
  runs: BrowserBurstRun[]
}

export interface BrowserBurstSize {
  n: number
  floor: BrowserBurstFigure
  microtask: BrowserBurstFigure
  timeout: BrowserBurstFigure
}

export type BrowserBurstResult =
  | { skipped: string }
  | { browser: string; transport: string; sizes: BrowserBurstSize[] }

const TIMEOUT_MS = 60_000
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

const root = fileURLToPath(new URL('../..', import.meta.url))
const now = () => performance.timeOrigin + performance.now()

/**
 * The page script: the core plus the in-page harness (bench/lib/browser-burst-page.ts) as one IIFE,
 * built the way an app bundler would (production, minified). Bundled here rather than passed to
 * `page.evaluate` as a function: tsx's transform adds helpers the page does not have.
 */
async function bundlePage(): Promise<string> {
  const out = await build({
    entryPoints: [`${root}bench/lib/browser-burst-page.ts`],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    define: { 'process.env.NODE_ENV': '"production"' },
  })
  return out.outputFiles[0]?.text ?? ''
}

function serve(script: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/core.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' })
      res.end(script)
      return
    }
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end('<!doctype html><meta charset="utf-8"><title>burst</title><script src="/core.js"></script>')
  })
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(server)))
}

function metrics(list: ReadonlyArray<{ name: string; value: number }>): { ScriptDuration: number; TaskDuration: number } {
  const get = (name: string) => list.find(m => m.name === name)?.value ?? Number.NaN
  return { ScriptDuration: get('ScriptDuration'), TaskDuration: get('TaskDuration') }
}


async function runOnce(browser: Browser, origin: string, candidate: BrowserCandidate, contents: readonly string[]): Promise<BrowserBurstRun> {
  const server: ChatServer = await createChatServer({ pingIntervalMs: 0 })
  const page: Page = await browser.newPage()
  try {
    await page.goto(origin)
    const args: PageArgs = { candidate, n: contents.length, baseUrl: server.url, wsUrl: server.wsUrl, peerId: PEER_ID, tokens: server.issueTokens(SELF_ID), timeoutMs: TIMEOUT_MS }
    await page.evaluate(a => (window as unknown as BurstWindow).burstSetup(a), args)
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Performance.enable')
    const before = metrics((await cdp.send('Performance.getMetrics')).metrics)
    const peer = await openSocket(`${server.wsUrl}/ws/chat/${SELF_ID}/?token=${server.issueTokens(PEER_ID).access}`)
    const started = now()
    for (const text of contents) peer.send(JSON.stringify({ message: text }))
    const result: PageDone = await page.evaluate(() => (window as unknown as BurstWindow).burstDone())
    await closeSocket(peer)
    const after = metrics((await cdp.send('Performance.getMetrics')).metrics)
    return {
      ms: result.doneAt - started,
      notifications: result.notifications,
      frames: result.frames,
      scriptMs: (after.ScriptDuration - before.ScriptDuration) * 1000,
      taskMs: (after.TaskDuration - before.TaskDuration) * 1000,
    }
  }
  finally {
    await page.close()
    await server.close()
  }
}

function figure(runs: BrowserBurstRun[]): BrowserBurstFigure {
  return {
    medianMs: median(runs.map(r => r.ms)),
    medianNotifications: median(runs.map(r => r.notifications)),
    medianFrames: median(runs.map(r => r.frames)),
    medianScriptMs: median(runs.map(r => r.scriptMs)),
    medianTaskMs: median(runs.map(r => r.taskMs)),
    runs,
  }
}

export async function runBrowserBurst(sizes: readonly number[] = [1000, 10_000], runs = 5): Promise<BrowserBurstResult> {
  if (!existsSync(CHROMIUM)) return { skipped: `Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)` }
  let browser: Browser
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
  }
  catch (error) {
    return { skipped: `Chromium at ${CHROMIUM} did not start: ${String(error).split('\n')[0]}` }
  }
  const http = await serve(await bundlePage())
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`
  const candidates: BrowserCandidate[] = ['floor', 'microtask', 'timeout']
  try {
    const out: BrowserBurstSize[] = []
    for (const n of sizes) {
      const random = prng(7)
      const contents = Array.from({ length: n }, (_, i) => `${messageText(random)} #${i}`)
      const all: Record<BrowserCandidate, BrowserBurstRun[]> = { floor: [], microtask: [], timeout: [] }
      await runOnce(browser, origin, 'microtask', contents.slice(0, 200))
      // Rotate the order each round so no candidate always runs first (cold page cache, GC debt).
      for (let r = 0; r < runs; r++) {
        for (let i = 0; i < candidates.length; i++) {
          const candidate = candidates[(i + r) % candidates.length] as BrowserCandidate
          all[candidate].push(await runOnce(browser, origin, candidate, contents))
        }
      }
      out.push({ n, floor: figure(all.floor), microtask: figure(all.microtask), timeout: figure(all.timeout) })
    }
    return {
      browser: `Chromium ${browser.version()} (headless)`,
      transport: 'page on 127.0.0.1 (core bundled by esbuild) → createChatServer (src/testing) in the bench process; raw ws peer bursting',
      sizes: out,
    }
  }
  finally {
    await browser.close()
    await new Promise(resolve => http.close(resolve))
  }
}

if (isMain(import.meta.url)) {
  const sizes = (process.env.BROWSER_BURST_N ?? '1000,10000').split(',').map(Number)
  const result = await runBrowserBurst(sizes, Number(process.env.BENCH_RUNS ?? 5))
  process.stdout.write(`${JSON.stringify(result)}\n`)
  process.exit(0)
}
