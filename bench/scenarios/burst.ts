/**
 * 3. Live burst: 10k live frames arriving back to back into a mounted Vue component that uses
 * `useChat` (happy-dom), over real sockets from the test server: a raw `ws` peer sends 10k messages
 * as fast as it can, the server stores and broadcasts each one. Timed: from the first send until
 * the DOM shows the last message. Counted: renders of the component and reactive updates of
 * `messages`. Baselines, same server, same frames: the backend integration guide's Vue example component (see bench/lib/guide.ts) (deep `ref`
 * array, one push per frame), and a raw `ws` client doing only `JSON.parse` (the transport floor).
 *
 *   BENCH_BURST_N=10000 BENCH_BURST_CANDIDATES=floor,ours node --expose-gc --import tsx bench/scenarios/burst.ts
 */
/* eslint-disable vue/one-component-per-file -- the two candidate components live side by side on purpose */
import '../lib/dom-env'
import WS from 'ws'
import { createApp, defineComponent, h, onMounted, onUpdated, ref, watch } from 'vue'
import { createPinia } from 'pinia'
import { createChat, useChat } from '../../src/index'
import type { WebSocketConstructor } from '../../src/core/types'
import { createChatServer, type ChatServer } from '../../src/testing/index'
import { closeDom } from '../lib/dom-env'
import { messageText, PEER_ID, prng, SELF_ID } from '../lib/frames'
import { isMain, median } from '../lib/stats'
import { closeSocket, openSocket } from '../lib/sockets'

export interface BurstRun {
  ms: number
  renders: number
  /** Times the component's `messages` changed (ours: store snapshots; guide: array mutations). */
  reactiveUpdates: number
  shown: number
}

export interface BurstFigure {
  medianMs: number
  medianRenders: number
  medianReactiveUpdates: number
  runs: BurstRun[]
}

export interface BurstResult {
  frames: number
  transport: string
  floor: BurstFigure
  guide: BurstFigure
  ours: BurstFigure
  oursVsFloor: number
  guideVsFloor: number
}

const TIMEOUT_MS = 60_000

function texts(n: number): string[] {
  const random = prng(99)
  return Array.from({ length: n }, (_, i) => `${messageText(random)} #${i}`)
}


function deadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`burst: timed out waiting for ${what}`)), TIMEOUT_MS) }),
  ])
}

/** Peer sends every text back to back; resolves the time of the first send. */
async function burst(server: ChatServer, contents: readonly string[]): Promise<{ started: bigint; peer: WS }> {
  const peer = await openSocket(`${server.wsUrl}/ws/chat/${SELF_ID}/?token=${server.issueTokens(PEER_ID).access}`)
  const started = process.hrtime.bigint()
  for (const text of contents) peer.send(JSON.stringify({ message: text }))
  return { started, peer }
}

/** Mount a component, wait until it is ready, burst, and time until the DOM shows the last text. */
async function mountAndBurst(
  contents: readonly string[],
  view: (server: ChatServer, counters: { renders: number; updates: number }, onUpdate: () => void, ready: () => void) => { mount(el: Element): () => void },
): Promise<BurstRun> {
  const server = await createChatServer({ pingIntervalMs: 0 })
  const counters = { renders: 0, updates: 0 }
  const el = document.createElement('div')
  document.body.appendChild(el)
  const last = contents[contents.length - 1] ?? ''
  let resolveShown: (at: bigint) => void = () => {}
  const shown = new Promise<bigint>((resolve) => { resolveShown = resolve })
  let resolveReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => { resolveReady = resolve })
  const onUpdate = () => {
    const items = el.querySelectorAll('li')
    if (items.length === contents.length && items[items.length - 1]?.textContent === last) resolveShown(process.hrtime.bigint())
  }
  const t0 = Date.now()
  const unmount = view(server, counters, onUpdate, () => resolveReady()).mount(el)
  await deadline(ready, 'the component to be live')
  if (process.env.BENCH_DEBUG) process.stderr.write(`ready after ${Date.now() - t0} ms\n`)
  const { started, peer } = await burst(server, contents)
  const at = await deadline(shown, 'the last message in the DOM')
  const run = { ms: Number(at - started) / 1e6, renders: counters.renders, reactiveUpdates: counters.updates, shown: el.querySelectorAll('li').length }
  const t1 = Date.now()
  unmount()
  el.remove()
  await closeSocket(peer)
  await server.close()
  if (process.env.BENCH_DEBUG) process.stderr.write(`run ${run.ms} ms, teardown ${Date.now() - t1} ms\n`)
  return run
}

function oursView(server: ChatServer, counters: { renders: number; updates: number }, onUpdate: () => void, ready: () => void) {
  return {
    mount(el: Element) {
      const Chat = defineComponent({
        setup() {
          const chat = useChat(PEER_ID)
          watch(chat.messages, () => { counters.updates++ }, { flush: 'sync' })
          watch(chat.status, (s) => { if (s === 'live') ready() }, { immediate: true })
          onUpdated(onUpdate)
          return () => {
            counters.renders++
            return h('ul', chat.messages.value.map(m => h('li', { key: m.id }, m.content)))
          }
        },
      })
      const app = createApp(Chat)
      app.use(createPinia())
      const plugin = createChat({ baseUrl: server.url, WebSocket: WS as unknown as WebSocketConstructor, crossTab: false })
      app.use(plugin)
      plugin.client?.auth.setTokens(server.issueTokens(SELF_ID))
      app.mount(el)
      return () => app.unmount()
    },
  }
}

/** The backend integration guide's "Vue.js Example" component (see bench/lib/guide.ts), unchanged in substance (socket URL injected, no console). */
function guideView(server: ChatServer, counters: { renders: number; updates: number }, onUpdate: () => void, ready: () => void) {
  return {
    mount(el: Element) {
      let ws: WS | null = null
      const Chat = defineComponent({
        setup() {
          const messages = ref<Array<{ id: number; senderId: number; content: string; timestamp: string }>>([])
          watch(() => messages.value.length, () => { counters.updates++ }, { flush: 'sync' })
          onMounted(() => {
            ws = new WS(`${server.wsUrl}/ws/chat/${PEER_ID}/?token=${server.issueTokens(SELF_ID).access}`)
            ws.onopen = () => ready()
            ws.onmessage = (event) => {
              const data = JSON.parse(String(event.data))
              if (data.content) messages.value.push({ id: Date.now() + Math.random(), senderId: data.sender_id, content: data.content, timestamp: data.timestamp })
              else messages.value.push({ id: Date.now() + Math.random(), senderId: data.sender_id, content: data.message, timestamp: new Date().toISOString() })
            }
          })
          onUpdated(onUpdate)
          return () => {
            counters.renders++
            return h('ul', messages.value.map(m => h('li', { key: m.id }, m.content)))
          }
        },
      })
      const app = createApp(Chat)
      app.mount(el)
      return () => {
        app.unmount()
        ws?.close()
      }
    },
  }
}

/** Transport floor: a raw socket, `JSON.parse` per frame, nothing rendered. */
async function floorRun(contents: readonly string[]): Promise<BurstRun> {
  const server = await createChatServer({ pingIntervalMs: 0 })
  const socket = await openSocket(`${server.wsUrl}/ws/chat/${PEER_ID}/?token=${server.issueTokens(SELF_ID).access}`)
  let count = 0
  const done = new Promise<bigint>((resolve) => {
    socket.on('message', (data) => {
      JSON.parse(String(data))
      if (++count === contents.length) resolve(process.hrtime.bigint())
    })
  })
  const { started, peer } = await burst(server, contents)
  const at = await deadline(done, 'the last frame on the raw socket')
  await closeSocket(peer)
  await closeSocket(socket)
  await server.close()
  return { ms: Number(at - started) / 1e6, renders: 0, reactiveUpdates: 0, shown: count }
}

function figure(runs: BurstRun[]): BurstFigure {
  return {
    medianMs: median(runs.map(r => r.ms)),
    medianRenders: median(runs.map(r => r.renders)),
    medianReactiveUpdates: median(runs.map(r => r.reactiveUpdates)),
    runs,
  }
}

export async function runBurst(n = 10_000, runs = 5): Promise<BurstResult> {
  const contents = texts(n)
  const all = { floor: [] as BurstRun[], guide: [] as BurstRun[], ours: [] as BurstRun[] }
  // Not BENCH_ONLY: run.ts uses that name for its scenario list (`BENCH_ONLY=burst`), which skipped every candidate here.
  const candidates = process.env.BENCH_BURST_CANDIDATES?.split(',')
  const skip = (name: string) => candidates !== undefined && !candidates.includes(name)
  const none: BurstRun = { ms: Number.NaN, renders: 0, reactiveUpdates: 0, shown: 0 }
  // No warm-up round: one burst is long enough (seconds) for the JIT to settle inside it.
  for (let r = 0; r < runs; r++) {
    const floor = skip('floor') ? none : await floorRun(contents)
    const guide = skip('guide') ? none : await mountAndBurst(contents, guideView)
    const ours = skip('ours') ? none : await mountAndBurst(contents, oursView)
    all.floor.push(floor)
    all.guide.push(guide)
    all.ours.push(ours)
  }
  const floor = figure(all.floor)
  const guide = figure(all.guide)
  const ours = figure(all.ours)
  return {
    frames: n,
    transport: 'real sockets: createChatServer (src/testing) + ws, peer user 2 bursting to user 1; happy-dom',
    floor,
    guide,
    ours,
    oursVsFloor: ours.medianMs / floor.medianMs,
    guideVsFloor: guide.medianMs / floor.medianMs,
  }
}

if (isMain(import.meta.url)) {
  const result = await runBurst(Number(process.env.BENCH_BURST_N ?? 10_000), Number(process.env.BENCH_RUNS ?? 5))
  await closeDom()
  process.stdout.write(`${JSON.stringify(result)}\n`)
  process.exit(0)
}
