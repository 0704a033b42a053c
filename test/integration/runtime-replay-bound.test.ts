/**
 * What a server can make the client hold: a history replay that never goes quiet (each frame
 * within the quiet period) is cut off by `maxReplayMs` / `maxReplayFrames` with a typed error and a
 * reconnect with backoff, never flushing queued sends into it; a frame past `maxFrameLength` is
 * dropped and reported while the socket stays live.
 */
import { describe, expect, it } from 'vitest'
import type { ChatError } from '../../src/core/errors'
import { clientFixture, live, loggedIn, logShape, settled, shape, statusTimes, until, waitFor } from './helpers'

const { boot, track } = clientFixture()

describe('a replay that never goes quiet', () => {
  it('ends with replay_too_long after maxReplayMs and reconnects; the queued send waits and is stored once', async () => {
    const srv = await boot()
    const parent = track(await loggedIn(srv, 'parent'))
    const p = parent.conversation(1)
    await until(p, live)
    p.send('hello')
    await until(p, settled)

    srv.configure({ endlessReplayMs: 10 })
    const c = track(await loggedIn(srv, 'student', { maxReplayMs: 400 }))
    const s = c.conversation(2)
    const errors: ChatError[] = []
    s.on('error', e => errors.push(e))
    const times = statusTimes(s)
    await until(s, x => x.status === 'syncing', 'syncing')
    expect(s.send('queued during the replay').ok).toBe(true)

    await waitFor(() => errors.some(e => e.code === 'replay_too_long'), 'replay_too_long')
    const error = errors.find(e => e.code === 'replay_too_long')!
    expect(error.details).toMatchObject({ maxReplayMs: 400, maxReplayFrames: 500_000 })
    expect(error.details?.elapsedMs).toBeGreaterThan(400)
    await until(s, x => x.status === 'reconnecting', 'reconnecting after the cut-off')
    // a second endless replay is cut off as well: the client never settles in `syncing`
    await waitFor(() => errors.filter(e => e.code === 'replay_too_long').length >= 2, 'second cut-off')
    expect(times.some(([st]) => st === 'live')).toBe(false)
    expect(logShape(await srv.log(1, 2))).toEqual([['2', 'hello']])
    expect(s.getSnapshot().messages.find(m => m.content === 'queued during the replay')?.status).toBe('queued')

    // the server heals: the next replay ends, the queued send goes out once
    srv.configure({ endlessReplayMs: 0 })
    srv.dropAll()
    const snap = await until(s, x => settled(x) && x.messages.length === 2, 'healed', 10_000)
    expect(shape(snap)).toEqual([['2', 'hello'], ['1', 'queued during the replay']])
    expect(logShape(await srv.log(1, 2))).toEqual([['2', 'hello'], ['1', 'queued during the replay']])
    expect(snap.error).toBeNull()
  })

  it('ends with replay_too_long after maxReplayFrames; reconnect.maxAttempts still gives up', async () => {
    const srv = await boot({ endlessReplayMs: 1 })
    const c = track(await loggedIn(srv, 'student', { maxReplayFrames: 25, reconnect: { baseDelayMs: 20, maxDelayMs: 50, maxAttempts: 2 } }))
    const s = c.conversation(2)
    const errors: ChatError[] = []
    s.on('error', e => errors.push(e))
    await waitFor(() => errors.some(e => e.code === 'max_attempts'), 'max_attempts')
    const cutOffs = errors.filter(e => e.code === 'replay_too_long')
    expect(cutOffs).toHaveLength(3)
    // each cut-off in a row doubles the bound (a finite slow replay must end some day)
    expect(cutOffs.map(e => e.details)).toMatchObject([{ frames: 26, maxReplayFrames: 25 }, { frames: 51, maxReplayFrames: 50 }, { frames: 101, maxReplayFrames: 100 }])
    expect(s.getSnapshot().status).toBe('reconnecting')
    expect(srv.stats.handshakes).toBe(3)
  })

  it('a replay of exactly maxReplayFrames frames ends normally', async () => {
    const srv = await boot()
    const parent = track(await loggedIn(srv, 'parent'))
    const p = parent.conversation(1)
    await until(p, live)
    for (let i = 0; i < 30; i++) p.send(`m${i}`)
    await until(p, x => settled(x) && x.messages.length === 30)
    const c = track(await loggedIn(srv, 'student', { maxReplayFrames: 30 }))
    const s = c.conversation(2)
    const errors: ChatError[] = []
    s.on('error', e => errors.push(e))
    const snap = await until(s, x => live(x) && x.messages.length === 30, 'whole history')
    expect(snap.messages.every(m => m.serverTime)).toBe(true)
    expect(errors).toEqual([])
  })
})

describe('frame size limit', () => {
  it('a frame past maxFrameLength is dropped and reported as malformed_frame; the socket stays live', async () => {
    const srv = await boot()
    const c = track(await loggedIn(srv, 'student', { maxFrameLength: 1000 }))
    const s = c.conversation(2)
    await until(s, live)
    const errors: ChatError[] = []
    s.on('error', e => errors.push(e))
    const parent = track(await loggedIn(srv, 'parent'))
    const p = parent.conversation(1)
    await until(p, live)
    p.send('x'.repeat(2000))
    p.send('small')
    await until(s, x => x.messages.length === 1, 'the small message')
    expect(shape(s.getSnapshot())).toEqual([['2', 'small']])
    expect(s.getSnapshot().status).toBe('live')
    expect(errors.map(e => e.code)).toEqual(['malformed_frame'])
    expect(errors[0]!.details).toMatchObject({ maxFrameLength: 1000 })
    expect(errors[0]!.details?.length).toBeGreaterThan(2000)
    expect(errors[0]!.details?.preview).toHaveLength(120)
  })
})
