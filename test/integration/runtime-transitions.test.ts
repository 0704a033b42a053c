/**
 * The connection's phases over real sockets: each change comes with its reason, and the status an
 * app sees follows from the phase (waiting, diagnosing and having given up all show `reconnecting`).
 */
import { describe, expect, it } from 'vitest'
import type { ConnectionTransition, Conversation } from '../../src/core/types'
import { clientFixture, createManualSignals, live, loggedIn, until, waitFor } from './helpers'

const { boot, track } = clientFixture()

function transitions(conv: Conversation): Array<[string, string, string]> & { raw: ConnectionTransition[] } {
  const raw: ConnectionTransition[] = []
  const list = Object.assign([] as Array<[string, string, string]>, { raw })
  conv.on('transition', (t) => {
    raw.push(t)
    list.push([t.from, t.to, t.reason])
  })
  return list
}

describe('connection transitions', () => {
  it('a drop: backoff, a new attempt, a replay; the status event follows the phase', async () => {
    const srv = await boot()
    const s = track(await loggedIn(srv, 'student')).conversation(2)
    await until(s, live)
    const seen = transitions(s)
    const statuses: string[] = []
    s.on('status', st => statuses.push(st))
    srv.dropAll()
    await until(s, x => x.status !== 'live', 'drop noticed')
    await until(s, live)
    expect([...seen]).toEqual([
      ['live', 'backoff', 'dropped'],
      ['backoff', 'reconnecting', 'retry'],
      ['reconnecting', 'syncing', 'open'],
      ['syncing', 'live', 'no_history'],
    ])
    // backoff and the new attempt are both `reconnecting`: one status event for the two
    expect(statuses).toEqual(['reconnecting', 'syncing', 'live'])
    for (let k = 1; k < seen.raw.length; k++) expect(seen.raw[k]!.at).toBeGreaterThanOrEqual(seen.raw[k - 1]!.at)
  })

  it('a rejected handshake is diagnosed, then backs off as an outage; a capped retry count gives up', async () => {
    const srv = await boot()
    const client = track(await loggedIn(srv, 'student', { reconnect: { baseDelayMs: 20, maxDelayMs: 50, maxAttempts: 2 } }))
    const s = client.conversation(2)
    await until(s, live)
    const seen = transitions(s)
    const statuses: string[] = []
    s.on('status', st => statuses.push(st))
    srv.rejectHandshakes(100)
    srv.dropAll()
    await until(s, x => x.error?.code === 'max_attempts', 'gave up', 8000)
    const reasons = seen.map(([, to, reason]) => `${to}:${reason}`)
    expect(reasons.slice(0, 4)).toEqual(['backoff:dropped', 'reconnecting:retry', 'diagnosing:handshake_failed', 'backoff:outage'])
    expect(reasons.at(-1)).toBe('gave_up:max_attempts')
    // waiting, diagnosing and having given up: all one status
    expect(statuses).toEqual(['reconnecting'])
    expect(s.getSnapshot().status).toBe('reconnecting')
    expect(seen.every(([from, to]) => from !== to)).toBe(true)
  })

  it('offline and online signals, and a 1011 crash', async () => {
    const srv = await boot()
    const signals = createManualSignals()
    const s = track(await loggedIn(srv, 'student', { signals })).conversation(2)
    await until(s, live)
    const seen = transitions(s)
    signals.setOnline(false)
    expect(s.getSnapshot().status).toBe('offline')
    signals.setOnline(true)
    await until(s, live)
    srv.crashNext()
    s.send('stored, then the socket dies')
    await until(s, x => x.status !== 'live', 'crash noticed')
    await until(s, x => live(x) && !x.hasPending, 'back')
    await waitFor(() => seen.length >= 8, 'all transitions')
    expect(seen.slice(0, 4)).toEqual([
      ['live', 'offline', 'offline'],
      ['offline', 'connecting', 'online'],
      ['connecting', 'syncing', 'open'],
      ['syncing', 'live', 'no_history'],
    ])
    expect(seen[4]).toEqual(['live', 'backoff', 'server_error'])
  })
})
