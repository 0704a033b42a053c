/**
 * Property: whatever the schedule of sends (identical texts on purpose), network faults (drops,
 * restarts, delays, 1011 crashes, a text the server's database refuses) and browser faults
 * (reloads; storage writes that start or stop failing, raw `QuotaExceededError` or through
 * `createWebStorage` over a full quota; a storage that throws on every access; token expiry,
 * rotation, a rejected refresh then a new login; an account switch in the second tab;
 * online/offline; hidden/visible; wall-clock steps of minutes) and history cache faults (a
 * cache kept per browser profile across reloads; its writes failing; its entry replaced by garbage,
 * another user's, an older copy, or one holding a message the server never stored; a page closed
 * while the other side sends, so it reopens with a cache older than the server), once every client
 * is signed in again, live and with nothing pending:
 * - its timeline equals the server's stored log exactly (a refused text ends `failed`, never `sent`);
 * - every accepted send (`send()` returned ok) is stored exactly once; only a send that sat in a
 *   page reloaded (or switched to another account) while storage refused writes may be lost,
 *   never doubled;
 * - the server saw a bounded number of handshakes and refreshes: a few per fault, plus a rate per
 *   minute that a reconnect or refresh loop exceeds at once.
 * And on every snapshot on the way (cached history on screen, replays running): no id twice, no
 * server message shown twice (sender, text and server time), and while the cache is on screen no
 * text shown more often than it was sent.
 * Real sockets, real server.
 *
 * CI: a fixed seed and a few runs. More: PROPERTY_RUNS=300 PROPERTY_SEED=123 npx vitest run --project integration test/integration/property.test.ts
 * (PROPERTY_DEBUG=1 prints the state of a failing run).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createInProcessLocks } from '../../src/core/cross-tab'
import { decodeCachedHistory, encodeCachedHistory, historyKey } from '../../src/core/persistence/history-cache'
import { createWebStorage } from '../../src/core/persistence/storage'
import type { ChatClient, Conversation, ConversationSnapshot, StorageAdapter } from '../../src/core/types'
import { createMemoryStore } from '../../src/testing'
import type { ManualSignals, MessageStore, StoredMessage } from '../../src/testing'
import { createFaultHistoryCache, type FaultHistoryCache } from '../support/fault-history-cache'
import { createFaultStorage, QuotaStorage, type StorageFault } from '../support/fault-storage'
import { createManualSignals, logShape, makeClient, settled, shape, startServer, steppedClock, until, USERS } from './helpers'

const RUNS = Number(process.env.PROPERTY_RUNS ?? 10)
const SEED = Number(process.env.PROPERTY_SEED ?? 20261124)

/** The server's database refuses this text: the consumer raises, the socket closes with 1011, nothing is stored. */
const REFUSED = 'refused by the database'
const MAX_LENGTH = 40
const TOO_LONG = 'x'.repeat(MAX_LENGTH + 1)
/** A text nobody sends: it reaches a cache only as a message the server never stored. */
const PHANTOM = 'only in the cache'
/** Access tokens the server issues live this long (rotation mid-run comes from `expire`'s 1 s tokens and `rotate`). */
const ACCESS_TTL_S = 30
/** A correct client reconnects a few times per fault; past these rates per minute it is looping. */
const HANDSHAKES_PER_MINUTE = 60
const REFRESHES_PER_MINUTE = 2 * 60 / ACCESS_TTL_S

type Who = 0 | 1
/** `ok` / `failing`: cache writes work or reject; the others replace the entry the page reads next. */
type CacheFault = 'ok' | 'failing' | 'garbage' | 'foreign' | 'stale' | 'phantom'
type Op =
  | { op: 'send'; who: Who; text: string }
  | { op: 'dropAll' }
  | { op: 'restart' }
  | { op: 'delay'; ms: number }
  | { op: 'crashNext' }
  | { op: 'reload'; who: Who }
  /** The page closes, the other side sends while it is gone, and it opens again. */
  | { op: 'away'; who: Who; text: string }
  | { op: 'cacheFault'; who: Who; fault: CacheFault; variant: number }
  | { op: 'wait'; ms: number }
  | { op: 'storage'; who: Who; fault: StorageFault }
  | { op: 'expire'; who: Who }
  | { op: 'noIat'; who: Who }
  | { op: 'rotate'; who: Who }
  | { op: 'revoke'; who: Who }
  | { op: 'login'; who: Who }
  | { op: 'switch' }
  | { op: 'online'; who: Who; value: boolean }
  | { op: 'visible'; who: Who; value: boolean }
  | { op: 'clock'; minutes: number }
  | { op: 'gateway'; value: boolean }
  | { op: 'endless'; value: boolean }

const who = fc.constantFrom<Who>(0, 1)
const textArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('hi', 'hi', 'ok', 'same text') },
  // Odd input: NUL / a lone surrogate (refused at send() once validation covers them), too long, refused by the server.
  { weight: 1, arbitrary: fc.constantFrom('a\u0000b', '\ud800x', REFUSED, TOO_LONG) },
)
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('send' as const), who, text: textArb }) },
  { weight: 1, arbitrary: fc.constant({ op: 'dropAll' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'restart' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delay' as const), ms: fc.constantFrom(0, 20, 80) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'crashNext' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reload' as const), who }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('away' as const), who, text: textArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cacheFault' as const), who, fault: fc.constantFrom<CacheFault>('ok', 'failing', 'garbage', 'foreign', 'stale', 'phantom'), variant: fc.nat(3) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('wait' as const), ms: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 60 }) }, { weight: 1, arbitrary: fc.constant(700) }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('storage' as const), who, fault: fc.constantFrom<StorageFault>('ok', 'full', 'broken') }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('expire' as const), who }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rotate' as const), who }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('noIat' as const), who }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('revoke' as const), who }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('login' as const), who }) },
  { weight: 1, arbitrary: fc.constant({ op: 'switch' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('online' as const), who, value: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('visible' as const), who, value: fc.boolean() }) },
  // A gateway answering 502 to every refresh; a server whose replay never goes quiet.
  { weight: 1, arbitrary: fc.record({ op: fc.constant('gateway' as const), value: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('endless' as const), value: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clock' as const), minutes: fc.constantFrom(-10, -2, 2, 10) }) },
)
const scenarioArb = fc.record({
  mode: fc.constantFrom<'two-users' | 'two-tabs'>('two-users', 'two-tabs'),
  /** `raw`: a `localStorage`-like adapter that throws; `web`: `createWebStorage` over a quota. */
  storage: fc.constantFrom<'raw' | 'web'>('raw', 'web'),
  echoTimeoutMs: fc.constantFrom(10_000, 0),
  pauseWhenHidden: fc.boolean(),
  /** Mostly with the history cache (the app's choice); without it the reload paths are the plain ones. */
  historyCache: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  /** Messages student and parent exchanged before the run (identical texts on purpose). */
  earlier: fc.array(fc.record({ from: who, text: fc.constantFrom('hi', 'hi', 'ok') }), { maxLength: 4 }),
  /** What each browser's cache holds of them at the first open: nothing, all, or all but the newest (older than the server). */
  cachedEarlier: fc.constantFrom<'none' | 'all' | 'older'>('none', 'all', 'older'),
  ops: fc.array(opArb, { minLength: 3, maxLength: 16 }),
})
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never

type UserName = keyof typeof USERS
const NAME_OF: Record<string, UserName> = { 1: 'student', 2: 'parent', 3: 'parent2' }

/** One browser profile: its storage and history cache (shared by its tabs, kept across reloads) and locks. */
interface Browser {
  readonly backing: QuotaStorage
  readonly cache: FaultHistoryCache
  /** Its session's refresh token was revoked (the next refresh is rejected) and nobody signed in since. */
  revoked: boolean
  readonly key: string
  readonly locks: ReturnType<typeof createInProcessLocks>
  /** The adapter one page gets (web: a fresh `createWebStorage`, whose memory shadow dies with the page). */
  page(): StorageAdapter
}

interface Actor {
  readonly browser: Browser
  /** The user this actor is signed in as at the end. */
  readonly home: UserName
  readonly peer: number
  readonly signals: ManualSignals
  client: ChatClient
  conv: Conversation
}

interface Accepted {
  sender: string
  receiver: string
  content: string
  /** The page that sent it (`null`: sent and stored before the run). */
  browser: Browser | null
  /** May be lost (never doubled): its page reloaded or switched accounts while storage refused writes. */
  atRisk: boolean
}

/**
 * A message store whose database refuses one text (a Channels consumer that raises: 1011). What it
 * stored also lands in `stored` at once, for checks that run inside a snapshot notification.
 */
function refusingStore(stored: StoredMessage[]): MessageStore {
  const inner = createMemoryStore()
  return {
    append: async (m) => {
      if (m.content === REFUSED) throw new Error('value refused by the database')
      const row = await inner.append(m)
      stored.push(row)
      return row
    },
    list: (a, b) => inner.list(a, b),
  }
}

/** The test server's made-up history frames (`endless`): shown once each, never stored. */
const madeUp = (content: string): number => (/^endless replay \d+$/.test(content) ? 1 : 0)

/** Bumps `key`'s count in `counts`. */
function bump(counts: Map<string, number>, key: string, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by)
}


const stats = { runs: 0, messages: 0, ambiguousBeforeReplay: 0, lostAllowed: 0, maxHandshakes: 0, maxRefreshes: 0, snapshots: 0, cacheShown: 0, cacheBehind: 0 }

async function runScenario({ mode, storage: kind, echoTimeoutMs, pauseWhenHidden, historyCache, earlier, cachedEarlier, ops }: Scenario): Promise<void> {
  const run = ++stats.runs
  const log: StoredMessage[] = []
  const store = refusingStore(log)
  const server = await startServer({ store, accessTtlSeconds: ACCESS_TTL_S })
  const started = Date.now()
  const clock = steppedClock()
  const accepted: Accepted[] = []
  const actors: Actor[] = []
  // The conversation has a history: sends of an earlier session, stored once each, two in each
  // millisecond (the server counts microseconds; a cached row and a client's view count milliseconds).
  for (const [k, m] of earlier.entries()) {
    const [from, to] = m.from === 0 ? [USERS.student.id, USERS.parent.id] : [USERS.parent.id, USERS.student.id]
    await store.append({ sender_id: from, reciever_id: to, content: m.text, createdAt: started - 1000 + (k >> 1), micros: k, is_read: false })
    accepted.push({ sender: String(from), receiver: String(to), content: m.text, browser: null, atRisk: false })
  }
  /** A cache an earlier session of `self` left, as `cachedEarlier` says. */
  const earlierCache = (prefix: string, self: UserName, peer: number): FaultHistoryCache => {
    const cache = createFaultHistoryCache()
    const rows = cachedEarlier === 'all' ? log : log.slice(0, -1)
    if (cachedEarlier !== 'none' && rows.length > 0) {
      const me = String(USERS[self].id)
      const frames = rows.map(m => ({ kind: 'history' as const, senderId: String(m.sender_id), receiverId: String(m.reciever_id), content: m.content, timestamp: new Date(m.createdAt).toISOString(), time: m.createdAt, isRead: m.is_read }))
      cache.put(historyKey(prefix, me, String(peer)), encodeCachedHistory(frames, me, String(peer), 1000))
    }
    return cache
  }
  const newBrowser = (name: string, self: UserName, peer: number): Browser => {
    const backing = new QuotaStorage()
    const raw = createFaultStorage(backing)
    return {
      backing,
      cache: earlierCache(`prop${run}${name}`, self, peer),
      revoked: false,
      key: `prop${run}${name}`,
      locks: createInProcessLocks(),
      page: () => (kind === 'raw' ? raw : createWebStorage('local', { window: { localStorage: backing } })),
    }
  }

  /** Texts a tampered cache holds that the server never stored, per `sender>receiver\ttext`. */
  const phantoms = new Map<string, number>()
  const violations: string[] = []
  let cacheShown = false
  let cacheBehind = false
  const pairOf = (m: { senderId: string; receiverId: string }): string => `${m.senderId}>${m.receiverId}`
  /**
   * One snapshot on the way. A server message (sender, text, server time) shows at most as often as
   * the server stored it: a cached copy shown beside its replayed copy breaks that. While the cache
   * is on screen a text shows at most as often as it was sent: a cached copy beside the queued send
   * it stands for breaks that.
   */
  function inspect(s: ConversationSnapshot): void {
    stats.snapshots++
    const fail = (what: string): void => void violations.push(`${what} (source ${s.source}, status ${s.status}): ${JSON.stringify(s.messages.map(m => [m.id, m.senderId, m.content, m.status, m.serverTime && m.createdAt]))}`)
    const ids = new Set(s.messages.map(m => m.id))
    if (ids.size !== s.messages.length) fail('an id shown twice')
    const onServer = new Map<string, number>()
    for (const m of log) bump(onServer, `${m.sender_id}>${m.reciever_id}\t${m.content}\t${new Date(m.createdAt).toISOString()}`)
    const shown = new Map<string, number>()
    for (const m of s.messages) {
      if (m.status !== 'sent' || !m.serverTime) continue
      const key = `${pairOf(m)}\t${m.content}\t${m.createdAt}`
      bump(shown, key)
      if (shown.get(key)! > (onServer.get(key) ?? 0) + (phantoms.get(`${pairOf(m)}\t${m.content}`) ?? 0) + madeUp(m.content)) fail(`${key} shown more often than stored`)
    }
    if (s.source !== 'cache') return
    cacheShown = true
    const pair = s.messages[0] && pairOf(s.messages[0])
    if (pair && s.messages.filter(m => m.serverTime).length < log.filter(m => `${m.sender_id}>${m.reciever_id}` === pair || `${m.reciever_id}>${m.sender_id}` === pair).length) cacheBehind = true
    const sent = new Map<string, number>()
    for (const a of accepted) bump(sent, `${a.sender}>${a.receiver}\t${a.content}`)
    const texts = new Map<string, number>()
    for (const m of s.messages) {
      if (m.status === 'failed') continue
      const key = `${pairOf(m)}\t${m.content}`
      bump(texts, key)
      if (texts.get(key)! > (sent.get(key) ?? 0) + (phantoms.get(key) ?? 0) + madeUp(m.content)) fail(`${key} shown more often than sent while the cache is on screen`)
    }
  }

  /** Sign in as a user would: `tries` times (the first request after a server restart may meet a dead pooled connection). */
  async function login(a: Actor, name: UserName = a.home, tries = 1): Promise<boolean> {
    for (let i = 0; i < tries; i++) {
      try {
        await a.client.auth.login(USERS[name].email, USERS[name].password)
        a.browser.revoked = false
        return true
      }
      catch (error) {
        // Server down or unreachable: the user tries again later (the settle phase does).
        if (process.env.PROPERTY_DEBUG) process.stdout.write(`login of ${name} failed: ${String(error)}\n`)
      }
    }
    return false
  }

  async function spawn(browser: Browser, home: UserName, peer: number, signals: ManualSignals): Promise<Actor> {
    const client = makeClient(server, {
      storage: browser.page(),
      storageKey: browser.key,
      scheduler: clock,
      signals,
      crossTab: mode === 'two-tabs',
      locks: browser.locks,
      pauseWhenHidden,
      echoTimeoutMs,
      maxMessageLength: MAX_LENGTH,
      maxReplayMs: 1500,
      reconnect: { baseDelayMs: 10, maxDelayMs: 80 },
      ...(historyCache ? { historyCache: { adapter: browser.cache } } : {}),
    })
    const actor: Actor = { browser, home, peer, signals, client, conv: client.conversation(peer) }
    actor.conv.subscribe(() => inspect(actor.conv.getSnapshot()))
    // A page that finds no session in storage shows the login form: the user signs in again.
    if (client.auth.getState().status !== 'authenticated') await login(actor)
    return actor
  }

  const userOf = (a: Actor): string => a.client.auth.getState().userId ?? String(USERS[a.home].id)
  const faulty = (b: Browser): boolean => b.backing.fault !== 'ok'
  /** The page of `a` loses what it held in memory: its accepted sends may be lost when storage refused them. */
  const losingMemory = (a: Actor): void => {
    if (!faulty(a.browser)) return
    for (const s of accepted) if (s.browser === a.browser) s.atRisk = true
  }

  /** A send as the user types it; an accepted one is recorded. */
  function send(w: Who, typed: string): void {
    // Two tabs of one user whose identical texts are both unresolved are indistinguishable on
    // this protocol (no ids: a replay cannot tell whose copy was stored), so tab B words its own.
    const text = mode === 'two-tabs' && w === 1 && typed !== REFUSED ? `${typed} (B)` : typed
    const result = actors[w]!.conv.send(text)
    if (result.ok) {
      const m = result.message
      accepted.push({ sender: m.senderId, receiver: m.receiverId, content: m.content, browser: actors[w]!.browser, atRisk: false })
    }
  }

  /** The cache entry of `a`'s conversation replaced with what a damaged, foreign or older store holds. */
  async function tamper(a: Actor, fault: Exclude<CacheFault, 'ok' | 'failing'>, variant: number): Promise<void> {
    const cache = a.browser.cache
    const self = userOf(a)
    const peer = String(a.peer)
    const key = historyKey(a.browser.key, self, peer)
    const written = cache.written(key)
    const last = [await cache.get(key), ...[...written].reverse()].map(v => decodeCachedHistory(v, self, peer)).find(f => f !== null) ?? []
    switch (fault) {
      case 'garbage':
        cache.put(key, [
          'not an entry',
          { v: 1, user: self, peer, rows: [[self, 42, 'x', 0]] },
          { ...encodeCachedHistory(last, self, peer, 1000), v: 2 },
          { v: 1, user: self, peer, rows: [[self, 'later', 2, 0], [self, 'earlier', 1, 0]] },
        ][variant % 4])
        break
      case 'foreign':
        // Another account's conversation with the same peer, or this conversation as the peer stores it.
        cache.put(key, variant % 2 ? encodeCachedHistory(last, self === '1' ? '3' : '1', peer, 1000) : encodeCachedHistory(last, peer, self, 1000))
        break
      case 'stale':
        if (written.length > 0) cache.put(key, written[variant % written.length])
        break
      case 'phantom': {
        // A message the server does not hold (deleted since, or never stored): the replay removes it, nobody sends it.
        const at = variant % (last.length + 1)
        const time = last[at - 1]?.time ?? last[at]?.time ?? Date.now()
        const sender = variant % 2 ? peer : self
        const frames = [...last]
        frames.splice(at, 0, { kind: 'history', senderId: sender, receiverId: sender === self ? peer : self, content: PHANTOM, timestamp: new Date(time).toISOString(), time, isRead: false })
        bump(phantoms, `${sender}>${sender === self ? peer : self}\t${PHANTOM}`)
        cache.put(key, encodeCachedHistory(frames, self, peer, 1000))
        break
      }
    }
  }

  try {
    if (mode === 'two-users') {
      actors.push(await spawn(newBrowser('a', 'student', 2), 'student', 2, createManualSignals()))
      actors.push(await spawn(newBrowser('b', 'parent', 1), 'parent', 1, createManualSignals()))
    }
    else {
      const shared = newBrowser('', 'student', 2)
      actors.push(await spawn(shared, 'student', 2, createManualSignals()))
      actors.push(await spawn(shared, 'student', 2, createManualSignals()))
    }
    let down = false
    for (const step of ops) {
      switch (step.op) {
        case 'send': send(step.who, step.text); break
        case 'dropAll': server.dropAll(); break
        case 'restart':
          if (!down) await server.stop()
          else await server.start()
          down = !down
          break
        case 'delay': server.delay(step.ms); break
        case 'crashNext': server.crashNext(); break
        case 'reload': {
          const a = actors[step.who]!
          losingMemory(a)
          a.client.destroy()
          actors[step.who] = await spawn(a.browser, a.home, a.peer, a.signals)
          break
        }
        case 'away': {
          // The page reopens with a cache older than the server: the other side sent while it was closed.
          const a = actors[step.who]!
          const other: Who = step.who === 0 ? 1 : 0
          losingMemory(a)
          a.client.destroy()
          send(other, step.text)
          // Reopened once that send is through, or after a while when faults hold it up.
          await until(actors[other]!.conv, settled, 'the send while away', 1000).catch(() => {})
          actors[step.who] = await spawn(a.browser, a.home, a.peer, a.signals)
          break
        }
        case 'cacheFault': {
          const a = actors[step.who]!
          if (step.fault === 'ok' || step.fault === 'failing') a.browser.cache.failing = step.fault === 'failing'
          else await tamper(a, step.fault, step.variant)
          break
        }
        case 'wait': await new Promise(r => setTimeout(r, step.ms)); break
        case 'storage': actors[step.who]!.browser.backing.set(step.fault); break
        case 'expire': {
          const a = actors[step.who]!
          a.client.auth.setTokens(server.issueTokens(Number(userOf(a)), { accessTtlSeconds: 1 }))
          a.browser.revoked = false
          break
        }
        case 'noIat': {
          // From now on the backend issues tokens without `iat`: the client must still refresh at a sane rate.
          const a = actors[step.who]!
          server.configure({ omitIat: true })
          a.client.auth.setTokens(server.issueTokens(Number(userOf(a))))
          a.browser.revoked = false
          break
        }
        case 'rotate': await actors[step.who]!.client.auth.refresh().catch(() => {}); break
        case 'revoke': {
          // The session was revoked elsewhere: the access token runs out and its refresh is rejected.
          const a = actors[step.who]!
          const tokens = server.issueTokens(Number(userOf(a)), { accessTtlSeconds: 1 })
          server.revokeRefresh(tokens.refresh)
          a.client.auth.setTokens(tokens)
          a.browser.revoked = true
          break
        }
        case 'login': {
          const a = actors[step.who]!
          await login(a, NAME_OF[userOf(a)] ?? a.home)
          break
        }
        case 'switch': {
          // The second tab signs in as another account (and back); the first tab shares its storage.
          if (mode !== 'two-tabs') break
          const b = actors[1]!
          for (const a of actors) losingMemory(a)
          await login(b, userOf(b) === '3' ? 'student' : 'parent2')
          break
        }
        case 'online': actors[step.who]!.signals.setOnline(step.value); break
        case 'visible': actors[step.who]!.signals.setVisible(step.value); break
        case 'clock': clock.offset += step.minutes * 60_000; break
        case 'gateway': server.configure({ refreshFailureStatus: step.value ? 502 : 0 }); break
        case 'endless': server.configure({ endlessReplayMs: step.value ? 5 : 0 }); break
      }
    }

    // Faults end; every page is signed in as its own user again.
    if (down) await server.start()
    server.delay(0)
    server.configure({ refreshFailureStatus: 0, endlessReplayMs: 0 })
    for (const a of actors) {
      a.browser.backing.set('ok')
      a.browser.cache.failing = false
      a.signals.setOnline(true)
      a.signals.setVisible(true)
    }
    const signIn = async (name: (a: Actor) => UserName): Promise<void> => {
      for (const a of actors) {
        const id = String(USERS[name(a)].id)
        if (a.browser.revoked || a.client.auth.getState().status !== 'authenticated' || userOf(a) !== id) {
          expect(await login(a, name(a), 5), `${name(a)} signs in again`).toBe(true)
        }
      }
    }
    if (accepted.some(s => s.sender === '3')) {
      // The other account's sends wait in its own outbox: they go out once it signs in again.
      await signIn(() => 'parent2')
      for (const a of actors) await until(a.conv, settled, 'parent2 settled', 20_000)
    }
    await signIn(a => a.home)
    const checkBudget = (): void => {
      const minutes = (Date.now() - started) / 60_000
      const faults = ops.filter(o => o.op !== 'send' && o.op !== 'wait' && o.op !== 'cacheFault').length
        + 3 * ops.filter(o => o.op === 'send' && o.text === REFUSED).length
      const n = actors.length
      const handshakes = n * (2 + 3 * faults) + n * HANDSHAKES_PER_MINUTE * minutes
      // A token event costs at most one refresh (a clock step: one per session); beyond that only
      // expiry, twice per token lifetime. A refresh loop exceeds this within a second or two.
      const sessions = mode === 'two-tabs' ? 1 : 2
      const tokenEvents = ops.reduce((k, o) => k + (o.op === 'clock' ? sessions : ['expire', 'rotate', 'revoke', 'login', 'noIat', 'switch', 'reload', 'away'].includes(o.op) ? 1 : 0), 0)
      // A token without `iat` on a clock stepped ahead looks expired on arrival: nothing on the wire can
      // tell it is fresh, so the client backs off (1, 2, 4 ... 60 s): at most 6 more per session in a minute.
      const blind = ops.some(o => o.op === 'noIat') && ops.some(o => o.op === 'clock' && o.minutes > 0) ? 6 * sessions : 0
      const refreshes = sessions + tokenEvents + blind + sessions * REFRESHES_PER_MINUTE * minutes
      stats.maxHandshakes = Math.max(stats.maxHandshakes, server.stats.handshakes)
      stats.maxRefreshes = Math.max(stats.maxRefreshes, server.stats.refreshes)
      expect(server.stats.handshakes, `handshakes in ${(minutes * 60).toFixed(1)} s, ${faults} faults`).toBeLessThanOrEqual(Math.floor(handshakes))
      expect(server.stats.refreshes, `refreshes in ${(minutes * 60).toFixed(1)} s, ${tokenEvents} token events`).toBeLessThanOrEqual(Math.floor(refreshes))
    }
    const dump = async (what: string): Promise<void> => {
      if (!process.env.PROPERTY_DEBUG) return
      const state = actors.map((a, i) => ({
        i,
        auth: a.client.auth.getState().status,
        user: a.client.auth.getState().userId,
        status: a.conv.getSnapshot().status,
        error: a.conv.getSnapshot().error?.code,
        messages: a.conv.getSnapshot().messages.map(m => [m.id, m.content, m.status, m.error]),
      }))
      process.stdout.write(`${JSON.stringify({ what, mode, kind, echoTimeoutMs, pauseWhenHidden, historyCache, earlier, cachedEarlier, ops, state, violations: violations.slice(0, 3), stats: server.stats, log12: logShape(await server.log(1, 2)), log32: logShape(await server.log(3, 2)) })}\n`)
    }
    try {
      for (const a of actors) await until(a.conv, settled, `${a.home} settled`, 20_000)
    }
    catch (error) {
      await dump('settle')
      checkBudget()
      throw error
    }
    const view = (a: Actor) => shape({ ...a.conv.getSnapshot(), messages: a.conv.getSnapshot().messages.filter(m => !(m.status === 'failed' && m.content === REFUSED)) })
    const logOf = async (a: Actor) => logShape(await server.log(USERS[a.home].id, a.peer))
    // settled says nothing about frames still in flight to the other client: wait for them too
    const converged = async () => {
      for (const a of actors) {
        if (!settled(a.conv.getSnapshot()) || JSON.stringify(view(a)) !== JSON.stringify(await logOf(a))) return false
      }
      return true
    }
    const deadline = Date.now() + 5000
    while (Date.now() < deadline && !(await converged())) await new Promise(r => setTimeout(r, 20))
    if (!(await converged())) {
      stats.ambiguousBeforeReplay++
      await dump('before the final replay')
    }
    // A live frame equal to the replay's tail right after a replay is ambiguous on this protocol (race
    // duplicate or a new identical message): only the next replay can tell. One quiet replay settles it.
    for (const a of actors) a.conv.reconnect()
    for (const a of actors) await until(a.conv, x => x.status === 'syncing' || x.status === 'live', 'replay')
    for (const a of actors) await until(a.conv, settled, `${a.home} settled after the final replay`, 20_000)
    if (!(await converged())) await dump('after the final replay')
    expect(violations.slice(0, 3), 'every snapshot on the way').toEqual([])
    for (const a of actors) {
      expect(view(a)).toEqual(await logOf(a))
      const rest = a.conv.getSnapshot().messages.filter(m => !(m.status === 'failed' && m.content === REFUSED))
      expect(rest.every(m => m.status === 'sent' && m.serverTime)).toBe(true)
    }

    // Exactly once per accepted send (at most once for one a lost page held), per conversation.
    const logs = new Map<string, string[]>()
    for (const [x, y] of [[1, 2], [3, 2]] as const) {
      for (const m of await server.log(x, y)) {
        const k = `${m.sender_id}>${m.reciever_id}`
        logs.set(k, [...(logs.get(k) ?? []), m.content])
      }
    }
    const keys = new Set([...logs.keys(), ...accepted.map(s => `${s.sender}>${s.receiver}`)])
    for (const k of keys) {
      const stored = logs.get(k) ?? []
      const mine = accepted.filter(s => `${s.sender}>${s.receiver}` === k && s.content !== REFUSED)
      for (const content of new Set([...stored, ...mine.map(s => s.content)])) {
        const n = stored.filter(c => c === content).length
        const sent = mine.filter(s => s.content === content)
        const sure = sent.filter(s => !s.atRisk).length
        expect(n, `stored count of ${JSON.stringify(content)} from ${k}`).toBeLessThanOrEqual(sent.length)
        expect(n, `stored count of ${JSON.stringify(content)} from ${k}`).toBeGreaterThanOrEqual(sure)
        stats.lostAllowed += sent.length - n
      }
    }
    expect(stored(logs, REFUSED)).toBe(0)
    checkBudget()
    stats.messages += [...logs.values()].reduce((n, l) => n + l.length, 0)
    if (cacheShown) stats.cacheShown++
    if (cacheBehind) stats.cacheBehind++
  }
  finally {
    for (const a of actors) a.client.destroy()
    await server.close()
  }
}

/**
 * Runs first: tab A's send is stored but its echo never comes (the tab goes offline), tab B's replay
 * caches the stored copy, tab A reloads offline. Its outbox and its cache both hold the message: it
 * must show once. Random schedules reach this only rarely.
 */
const CACHED_AND_UNSENT: Scenario = {
  mode: 'two-tabs',
  storage: 'raw',
  echoTimeoutMs: 10_000,
  pauseWhenHidden: false,
  historyCache: true,
  earlier: [{ from: 1, text: 'ok' }],
  cachedEarlier: 'none',
  ops: [
    { op: 'wait', ms: 300 },
    { op: 'delay', ms: 80 },
    { op: 'send', who: 0, text: 'hi' },
    { op: 'wait', ms: 20 },
    { op: 'online', who: 0, value: false },
    { op: 'delay', ms: 0 },
    { op: 'dropAll' },
    { op: 'wait', ms: 700 },
    { op: 'dropAll' },
    { op: 'wait', ms: 700 },
    { op: 'reload', who: 0 },
    { op: 'wait', ms: 60 },
  ],
}

function stored(logs: Map<string, string[]>, content: string): number {
  return [...logs.values()].flat().filter(c => c === content).length
}

describe('property: timelines converge to the server log under network and browser faults', () => {
  it(`holds for random fault schedules (${RUNS} runs, seed ${SEED})`, async () => {
    // PROPERTY_CASE='<scenario JSON>' replays one counterexample; PROPERTY_SHRINK=1 lets fast-check shrink (slow).
    const replay = process.env.PROPERTY_CASE
    if (replay) await runScenario(JSON.parse(replay) as Scenario)
    else {
      await fc.assert(fc.asyncProperty(scenarioArb, scenario => runScenario(scenario)), {
        numRuns: RUNS,
        seed: SEED,
        examples: [[CACHED_AND_UNSENT]],
        endOnFailure: process.env.PROPERTY_SHRINK !== '1',
      })
    }
    process.stdout.write(`property: ${stats.runs} runs, ${stats.messages} stored messages checked, ${stats.ambiguousBeforeReplay} runs needed the final replay, ${stats.lostAllowed} sends lost with a page while storage refused writes, at most ${stats.maxHandshakes} handshakes / ${stats.maxRefreshes} refreshes in a run; ${stats.snapshots} snapshots checked, cached history shown in ${stats.cacheShown} runs, older than the server in ${stats.cacheBehind}\n`)
    // The fixed example puts cached history on screen: a run that never gets there checks nothing of it.
    if (!replay) expect(stats.cacheShown, 'runs that showed cached history').toBeGreaterThan(0)
  }, Math.max(120_000, RUNS * 45_000))
})
