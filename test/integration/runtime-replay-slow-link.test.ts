/**
 * A finite history that arrives steadily but takes longer than `maxReplayMs` (a long conversation
 * over a slow mobile link) is cut off, but each cut-off in a row doubles the bound, so it ends after
 * a few downloads instead of being downloaded again forever. The real test server's replay reaches
 * the client through a slow link (one frame every 15 ms, well inside the quiet period).
 */
import WebSocket from 'ws'
import { describe, expect, it } from 'vitest'
import type { ChatError } from '../../src/core/errors'
import type { WebSocketConstructor } from '../../src/core/types'
import { clientFixture, live, loggedIn, settled, until } from './helpers'

const { boot, track } = clientFixture()

const FRAME_GAP_MS = 15

/** A `ws` socket behind a slow link: inbound messages are delivered one every FRAME_GAP_MS, in order. */
class SlowLinkSocket extends WebSocket {
  #queue: unknown[][] = []
  #draining = false
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'message') return super.emit(event, ...args)
    this.#queue.push(args)
    if (!this.#draining) this.#drain()
    return true
  }

  #drain(): void {
    const next = this.#queue.shift()
    if (!next) {
      this.#draining = false
      return
    }
    this.#draining = true
    setTimeout(() => {
      if (this.readyState === WebSocket.OPEN) super.emit('message', ...next)
      this.#drain()
    }, FRAME_GAP_MS)
  }
}

describe('a finite history replay slower than maxReplayMs', () => {
  it('still completes after one cut-off, with every message once', async () => {
    const srv = await boot()
    const parent = track(await loggedIn(srv, 'parent'))
    const p = parent.conversation(1)
    await until(p, live)
    for (let i = 0; i < 40; i++) p.send(`m${i}`)
    await until(p, x => settled(x) && x.messages.length === 40)

    // 40 frames × 15 ms ≈ 600 ms of replay; each frame well inside the 60 ms quiet period.
    const c = track(await loggedIn(srv, 'student', { maxReplayMs: 400, WebSocket: SlowLinkSocket as unknown as WebSocketConstructor }))
    const s = c.conversation(2)
    const errors: ChatError[] = []
    s.on('error', e => errors.push(e))
    await until(s, x => live(x) && x.messages.length === 40, 'the whole history', 8000)
    // 600 ms of replay: cut off at 400 ms, then it fits the doubled 800 ms bound.
    expect(errors.filter(e => e.code === 'replay_too_long').map(e => e.details?.maxReplayMs)).toEqual([400])
    expect(s.getSnapshot().messages.map(m => m.content)).toEqual(Array.from({ length: 40 }, (_, i) => `m${i}`))
  })
})
