/** `DEFAULTS` and how `resolveOptions` applies it: one frozen source, and nonsense falls back to it. */
import { describe, expect, it } from 'vitest'
import { DEFAULTS } from '../../src/core/defaults'
import { readReceiptsExtension } from '../../src/core/conversation/read-receipts'
import { typingExtension } from '../../src/core/conversation/typing'
import { ChatSetupError } from '../../src/core/errors'
import { resolveOptions } from '../../src/core/options'
import type { ChatClientOptions } from '../../src/core/types'

const options = (o: Record<string, unknown>) => resolveOptions(o as ChatClientOptions)

describe('DEFAULTS', () => {
  it('is frozen, its groups too', () => {
    expect(Object.isFrozen(DEFAULTS)).toBe(true)
    expect(Object.isFrozen(DEFAULTS.reconnect)).toBe(true)
    expect(Object.isFrozen(DEFAULTS.extensions)).toBe(true)
  })

  it('is what resolveOptions gives without options, key by key', () => {
    const resolved = resolveOptions({}) as unknown as Record<string, unknown>
    for (const [key, value] of Object.entries(DEFAULTS)) {
      if (key === 'storage') continue // an adapter of that kind
      if (key === 'historyCache') continue // off: resolved to null (its settings apply once it is on)
      expect([key, resolved[key]]).toEqual([key, value])
    }
    expect(resolved.historyCache).toBeNull()
    expect(resolveOptions({ historyCache: true }).historyCache).toEqual({ maxMessages: DEFAULTS.historyCache.maxMessages })
    expect(resolveOptions({ historyCache: { maxMessages: 20 } }).historyCache).toEqual({ maxMessages: 20 })
    expect(resolveOptions({ historyCache: { enabled: false } }).historyCache).toBeNull()
  })
})

describe('resolveOptions', () => {
  it('keeps valid values, nested groups merged member by member', () => {
    const r = options({ replayQuietMs: 50, trim: false, storageKey: 'app', notify: 'microtask', reconnect: { maxDelayMs: 9000 }, extensions: { typing: typingExtension } })
    expect([r.replayQuietMs, r.trim, r.storageKey, r.notify]).toEqual([50, false, 'app', 'microtask'])
    expect(r.reconnect).toEqual({ ...DEFAULTS.reconnect, maxDelayMs: 9000 })
    expect(r.extensions).toEqual({ typing: typingExtension, readReceipts: false })
  })

  it('falls back to the default for a value of the wrong type, an empty string, or a non-positive number', () => {
    const r = options({ replayQuietMs: '50', trim: 'no', crossTab: 1, storageKey: '', userIdClaim: 7, maxMessageLength: -1, maxSendAttempts: 0, heartbeatMs: Number.NaN, reconnect: { baseDelayMs: null } })
    expect([r.replayQuietMs, r.trim, r.crossTab, r.storageKey, r.userIdClaim, r.maxMessageLength, r.maxSendAttempts, r.heartbeatMs])
      .toEqual([DEFAULTS.replayQuietMs, DEFAULTS.trim, DEFAULTS.crossTab, DEFAULTS.storageKey, DEFAULTS.userIdClaim, DEFAULTS.maxMessageLength, DEFAULTS.maxSendAttempts, DEFAULTS.heartbeatMs])
    expect(r.reconnect).toEqual(DEFAULTS.reconnect)
  })

  it('takes 0 only where it means off or none, and Infinity as no limit', () => {
    const r = options({ echoTimeoutMs: 0, refreshThresholdMs: 0, clockSkewMs: 0, replayQuietMs: 0, maxSendAttempts: Number.POSITIVE_INFINITY })
    expect([r.echoTimeoutMs, r.refreshThresholdMs, r.clockSkewMs]).toEqual([0, 0, 0])
    expect(r.replayQuietMs).toBe(DEFAULTS.replayQuietMs)
    expect(r.maxSendAttempts).toBe(Number.POSITIVE_INFINITY)
  })

  it('turns an extension on only with its import; true or anything else is a setup error naming the import', () => {
    expect(options({ extensions: { typing: false, readReceipts: readReceiptsExtension } }).extensions).toEqual({ typing: false, readReceipts: readReceiptsExtension })
    expect(options({ extensions: {} }).extensions).toEqual(DEFAULTS.extensions)
    for (const [extensions, name] of [[{ typing: true }, 'typingExtension'], [{ readReceipts: true }, 'readReceiptsExtension'], [{ readReceipts: typingExtension }, 'readReceiptsExtension'], [{ typing: 'on' }, 'typingExtension'], [true, 'typingExtension']] as const) {
      let caught: unknown
      try {
        options({ extensions })
      }
      catch (error) {
        caught = error
      }
      expect(caught, JSON.stringify(extensions)).toBeInstanceOf(ChatSetupError)
      expect((caught as ChatSetupError).code).toBe('extension_missing')
      expect((caught as ChatSetupError).message).toContain(`import { ${name} } from 'vue-realtime-chat'`)
    }
  })
})
