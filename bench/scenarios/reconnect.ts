/**
 * 6. Reconnect time: real client (core) and the real test server over `ws`. The server stops; the
 * client retries with its backoff; a message is sent meanwhile (queued). Measured from the server
 * coming back (`start()` resolved, or the `online` signal) to `live`, and to an empty outbox (the
 * queued message echoed). Compared with the configured backoff ceiling and replay-quiet period.
 */
import WS from 'ws'
import { createChatClient } from '../../src/core/index'
import { backoffCeiling } from '../../src/core/transport/backoff'
import type { Conversation, ConversationSnapshot, WebSocketConstructor } from '../../src/core/types'
import { createChatServer, createManualSignals, createMemoryStore, type ChatServer } from '../../src/testing/index'
import { conversation, PEER_ID, SELF_ID } from '../lib/frames'
import { isMain, median } from '../lib/stats'

export interface ReconnectRun {
  /** Attempts counted by the snapshot when the server came back. */
  attempt: number
  /** Backoff ceiling of that attempt: the longest the client may still be waiting. */
  ceilingMs: number
  toLiveMs: number
  toEmptyOutboxMs: number
}

export interface ReconnectFigure {
  medianToLiveMs: number
  medianToEmptyOutboxMs: number
  medianCeilingMs: number
  runs: ReconnectRun[]
}

export interface ReconnectResult {
  historyMessages: number
  baseDelayMs: number
  maxDelayMs: number
  replayQuietMs: number
  /** Server restarted while the client backs off. */
  restart: ReconnectFigure
  /** Browser went offline, server restarted, `online` signal. */
  online: ReconnectFigure
}

const BASE_DELAY_MS = 500
const MAX_DELAY_MS = 30_000
const REPLAY_QUIET_MS = 300
const HISTORY = 200

function until(conv: Conversation, predicate: (s: ConversationSnapshot) => boolean, what: string): Promise<bigint> {
  return new Promise((resolve, reject) => {
    if (predicate(conv.getSnapshot())) return resolve(process.hrtime.bigint())
    const timer = setTimeout(() => { off(); reject(new Error(`reconnect: timed out waiting for ${what}`)) }, 60_000)
    const off = conv.subscribe(() => {
      if (!predicate(conv.getSnapshot())) return
      const at = process.hrtime.bigint()
      clearTimeout(timer)
      off()
      resolve(at)
    })
  })
}

async function seeded(): Promise<ChatServer> {
  const store = createMemoryStore()
  for (const m of conversation(HISTORY, 3)) await store.append({ sender_id: m.senderId, reciever_id: m.receiverId, content: m.content, createdAt: m.time, micros: m.micros, is_read: false })
  return createChatServer({ store, pingIntervalMs: 0 })
}

async function once(mode: 'restart' | 'online', index: number): Promise<ReconnectRun> {
  const server = await seeded()
  const env = createManualSignals()
  const client = createChatClient({
    baseUrl: server.url,
    WebSocket: WS as unknown as WebSocketConstructor,
    crossTab: false,
    signals: env,
    reconnect: { baseDelayMs: BASE_DELAY_MS, maxDelayMs: MAX_DELAY_MS },
    replayQuietMs: REPLAY_QUIET_MS,
  })
  client.auth.setTokens(server.issueTokens(SELF_ID))
  const conv = client.conversation(PEER_ID)
  await until(conv, s => s.status === 'live' && s.messages.length === HISTORY, 'first live')

  if (mode === 'online') env.setOnline(false)
  await server.stop()
  if (mode === 'restart') await until(conv, s => s.status === 'reconnecting' && s.attempt >= 2, 'two failed attempts')
  else await until(conv, s => s.status === 'offline', 'offline')
  const sent = conv.send(`queued while down #${index}`)
  if (!sent.ok) throw new Error(`reconnect: send refused: ${sent.error.code}`)
  const attempt = conv.getSnapshot().attempt

  await server.start()
  const back = process.hrtime.bigint()
  if (mode === 'online') env.setOnline(true)
  const live = until(conv, s => s.status === 'live', 'live again')
  const empty = until(conv, s => s.status === 'live' && !s.hasPending, 'empty outbox')
  const [liveAt, emptyAt] = await Promise.all([live, empty])
  const stored = await server.log(SELF_ID, PEER_ID)
  if (stored.length !== HISTORY + 1) throw new Error(`reconnect: server stored ${stored.length}, expected ${HISTORY + 1}`)
  if (conv.getSnapshot().messages.length !== HISTORY + 1) throw new Error('reconnect: timeline differs from the server log')
  conv.release()
  client.destroy()
  await server.close()
  return {
    attempt,
    ceilingMs: mode === 'online' ? 0 : backoffCeiling(attempt, { baseDelayMs: BASE_DELAY_MS, maxDelayMs: MAX_DELAY_MS }),
    toLiveMs: Number(liveAt - back) / 1e6,
    toEmptyOutboxMs: Number(emptyAt - back) / 1e6,
  }
}

function figure(runs: ReconnectRun[]): ReconnectFigure {
  return {
    medianToLiveMs: median(runs.map(r => r.toLiveMs)),
    medianToEmptyOutboxMs: median(runs.map(r => r.toEmptyOutboxMs)),
    medianCeilingMs: median(runs.map(r => r.ceilingMs)),
    runs,
  }
}

export async function runReconnect(runs = 5): Promise<ReconnectResult> {
  const restart: ReconnectRun[] = []
  const online: ReconnectRun[] = []
  for (let r = 0; r < runs; r++) {
    restart.push(await once('restart', r))
    online.push(await once('online', r))
  }
  return {
    historyMessages: HISTORY,
    baseDelayMs: BASE_DELAY_MS,
    maxDelayMs: MAX_DELAY_MS,
    replayQuietMs: REPLAY_QUIET_MS,
    restart: figure(restart),
    online: figure(online),
  }
}

if (isMain(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await runReconnect(Number(process.env.BENCH_RUNS ?? 5)))}\n`)
  process.exit(0)
}
