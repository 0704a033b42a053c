/**
 * The socket URL carries the access token (`?token=`): no error or log line may carry the URL,
 * even when the WebSocket implementation puts it into its own error message.
 */
import { describe, expect, it } from 'vitest'
import type { ChatError } from '../../src/core/errors'
import type { WebSocketLike } from '../../src/core/types'
import { clientFixture, live, loggedIn, until, waitFor } from './helpers'

const { boot, track } = clientFixture()

/** Throws the way browsers do for a refused URL, with the URL in the message. */
class RefusingWebSocket {
  constructor(url: string) {
    throw new SyntaxError(`Failed to construct 'WebSocket': The URL '${url}' is invalid.`)
  }
}

describe('no URL in errors or logs', () => {
  it('a WebSocket constructor that throws with the URL in its message leaks no token', async () => {
    const srv = await boot()
    const lines: unknown[] = []
    const logger = { debug: (...args: unknown[]) => lines.push(args), warn: (...args: unknown[]) => lines.push(args) }
    const c = track(await loggedIn(srv, 'student', {
      WebSocket: RefusingWebSocket as unknown as new (url: string) => WebSocketLike,
      logger,
    }))
    const token = await c.auth.getAccessToken()
    const s = c.conversation(2)
    const errors: ChatError[] = []
    s.on('error', e => errors.push(e))
    await waitFor(() => errors.length >= 2, 'two failed attempts')
    expect(errors[0]!.code).toBe('network')
    const seen = JSON.stringify([
      errors.map(e => [e.message, e.details, String(e.cause), e.stack]),
      lines,
      s.getSnapshot().error?.message,
    ])
    expect(seen).not.toContain(token)
    expect(seen).not.toContain(token.split('.')[2]!)
    expect(seen).not.toContain('token=')
    expect(seen).not.toContain('/ws/chat/')
  })

  it('transition and replay events carry no token or URL', async () => {
    const srv = await boot()
    const c = track(await loggedIn(srv, 'student'))
    const token = await c.auth.getAccessToken()
    const s = c.conversation(2)
    const events: unknown[] = []
    s.on('transition', t => events.push(t))
    s.on('replay', r => events.push(r))
    await until(s, live)
    srv.dropAll()
    await until(s, x => x.status !== 'live', 'drop noticed')
    await until(s, live)
    expect(events.length).toBeGreaterThanOrEqual(4)
    const seen = JSON.stringify(events)
    expect(seen).not.toContain(token.split('.')[2]!)
    expect(seen).not.toContain('token')
    expect(seen).not.toContain('/ws/chat/')
    expect(seen).not.toContain('ws://')
  })
})
