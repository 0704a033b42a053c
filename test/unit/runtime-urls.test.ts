import { describe, expect, it } from 'vitest'
import { chatSocketUrl, parsePeerId, resolveUrls, toWebSocketUrl } from '../../src/core/transport/urls'
import { resolveOptions } from '../../src/core/options'

describe('urls', () => {
  it('derives REST and WebSocket bases from baseUrl (http→ws, https→wss), trailing slashes dropped', () => {
    expect(resolveUrls({ baseUrl: 'https://school.example/' })).toEqual({ apiUrl: 'https://school.example', wsUrl: 'wss://school.example' })
    expect(resolveUrls({ baseUrl: 'http://127.0.0.1:8000' })).toEqual({ apiUrl: 'http://127.0.0.1:8000', wsUrl: 'ws://127.0.0.1:8000' })
    expect(resolveUrls({ baseUrl: 'https://a.example', wsUrl: 'https://ws.example/' }).wsUrl).toBe('wss://ws.example')
    expect(resolveUrls({ baseUrl: 'https://a.example', apiUrl: 'https://api.example/' }).apiUrl).toBe('https://api.example')
    expect(toWebSocketUrl('HTTPS://X.example')).toBe('wss://X.example')
    expect(toWebSocketUrl('ws://x')).toBe('ws://x')
  })

  it('falls back to the page location, and to empty strings without one (SSR)', () => {
    expect(resolveUrls({}, { protocol: 'https:', host: 'app.example:8443' })).toEqual({ apiUrl: 'https://app.example:8443', wsUrl: 'wss://app.example:8443' })
    expect(resolveUrls({}, undefined)).toEqual({ apiUrl: '', wsUrl: '' })
  })

  it('builds the socket URL with the trailing slash and an encoded token', () => {
    expect(chatSocketUrl('wss://s.example/', '12', 'a.b+c')).toBe('wss://s.example/ws/chat/12/?token=a.b%2Bc')
  })

  it('validates peer ids into strings or invalid_peer', () => {
    expect(parsePeerId(7)).toEqual({ ok: true, peerId: '7' })
    expect(parsePeerId(' 7 ')).toEqual({ ok: true, peerId: '7' })
    for (const bad of ['abc', -1, 1.5, '', null, '7/..']) {
      const r = parsePeerId(bad)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error.code).toBe('invalid_peer')
    }
  })

  it('offers no URL redactor: no URL ever goes into an error or a log, so none needs one', async () => {
    // A pattern-based redactor missed `%74oken=`, `;token=`, `#token=`, `jwt=`, userinfo...
    const core: Record<string, unknown> = await import('../../src/core/index')
    const root: Record<string, unknown> = await import('../../src/index')
    expect(core.redactUrl).toBeUndefined()
    expect(root.redactUrl).toBeUndefined()
  })
})

describe('options', () => {
  it('applies the documented defaults', () => {
    const o = resolveOptions({ baseUrl: 'https://s.example' })
    expect(o.storageKey).toBe('vrc')
    expect(o.replayQuietMs).toBe(300)
    expect(o.maxFrameLength).toBe(1_048_576)
    expect(o.maxReplayFrames).toBe(500_000)
    expect(o.maxReplayMs).toBe(300_000)
    expect(o.maxMessageLength).toBe(5000)
    expect(o.trim).toBe(true)
    expect(o.allowEmpty).toBe(false)
    expect(o.reconnect).toEqual({ baseDelayMs: 500, maxDelayMs: 30_000, maxAttempts: Number.POSITIVE_INFINITY })
    expect(o.extensions).toEqual({ typing: false, readReceipts: false })
    expect(o.pauseWhenHidden).toBe(false)
    expect(o.userIdClaim).toBe('user_id')
    expect(o.refreshThresholdMs).toBe(300_000)
    expect(o.clockSkewMs).toBe(30_000)
    // Node 20 has no global WebSocket: nothing to connect with, and that is fine
    expect(o.WebSocket).toBeUndefined()
    expect(o.signals.isOnline()).toBe(true)
    expect(o.signals.isVisible()).toBe(true)
  })

  it('replaces nonsense numbers by defaults instead of throwing', () => {
    const o = resolveOptions({ replayQuietMs: -5, maxMessageLength: Number.NaN, reconnect: { baseDelayMs: 0, maxAttempts: 3 } })
    expect(o.replayQuietMs).toBe(300)
    expect(o.maxMessageLength).toBe(5000)
    expect(o.reconnect.baseDelayMs).toBe(500)
    expect(o.reconnect.maxAttempts).toBe(3)
  })
})
