import { describe, expect, it } from 'vitest'
import { readReceiptsExtension } from '../../src/core/conversation/read-receipts'
import { typingExtension } from '../../src/core/conversation/typing'
import { ChatSetupError } from '../../src/core/errors'
import { DEFAULTS } from '../../src/core/defaults'
import { resolveOptions } from '../../src/core/options'
import { defaults } from '../../nuxt-module/src/module'
import type { ChatPublicRuntimeConfig } from '../../nuxt-module/src/runtime/types'
import { toPluginOptions } from '../../nuxt-module/src/runtime/options'

describe('runtime config → plugin options', () => {
  it('connects and uses the configured storage in the browser only', () => {
    const config = { ...defaults, storage: 'session' as const }
    expect(toPluginOptions(config, true)).toMatchObject({ connect: true, storage: 'session', tokenStorage: 'session', crossTab: true })
    expect(toPluginOptions(config, false)).toMatchObject({ connect: false, storage: 'memory', tokenStorage: 'memory', crossTab: false })
    expect(toPluginOptions({ ...config, tokenStorage: 'memory' }, true)).toMatchObject({ storage: 'session', tokenStorage: 'memory' })
  })

  it('leaves empty URLs to the page origin and reads env-overridden strings as numbers', () => {
    const options = toPluginOptions({
      ...defaults,
      apiUrl: 'https://api.example',
      reconnect: { baseDelayMs: '250' as unknown as number, maxDelayMs: 8000, maxAttempts: 0 },
    }, true)
    expect(options).not.toHaveProperty('baseUrl')
    expect(options).not.toHaveProperty('wsUrl')
    expect(options.apiUrl).toBe('https://api.example')
    expect(options.reconnect).toEqual({ baseDelayMs: 250, maxDelayMs: 8000, maxAttempts: Number.POSITIVE_INFINITY })
    expect(toPluginOptions({ ...defaults, reconnect: { ...defaults.reconnect, maxAttempts: 5 } }, true).reconnect?.maxAttempts).toBe(5)
    expect(toPluginOptions({ ...defaults, reconnect: { ...defaults.reconnect, maxAttempts: '5' as unknown as number } }, true).reconnect?.maxAttempts).toBe(5)
  })

  it('passes the echo watchdog timeout through, env strings included', () => {
    expect(toPluginOptions(defaults, true).echoTimeoutMs).toBe(10_000)
    expect(toPluginOptions({ ...defaults, echoTimeoutMs: '0' as unknown as number }, true).echoTimeoutMs).toBe(0)
    expect(toPluginOptions(defaults, true).maxSendAttempts).toBe(3)
    expect(toPluginOptions({ ...defaults, maxSendAttempts: '0' as unknown as number }, true).maxSendAttempts).toBe(Number.POSITIVE_INFINITY)
    expect(toPluginOptions({ ...defaults, maxSendAttempts: '5' as unknown as number }, true).maxSendAttempts).toBe(5)
    // garbage is not 'never give up': the core resolves NaN to its default of 3
    expect(toPluginOptions({ ...defaults, maxSendAttempts: 'abc' as unknown as number }, true).maxSendAttempts).toBeNaN()
  })

  it('carries every key of the runtime config into the plugin options, each changed value as set', () => {
    const changed = {
      baseUrl: 'https://a.example',
      apiUrl: 'https://b.example',
      wsUrl: 'wss://c.example',
      storage: 'session',
      tokenStorage: 'memory',
      storageKey: 'app',
      userIdClaim: 'sub',
      notify: 'microtask',
    }
    /** Every number one more than its default, every boolean flipped, strings from `changed`. */
    const change = (value: object, path = ''): Record<string, unknown> => Object.fromEntries(Object.entries(value).map(([k, v]) => [k,
      typeof v === 'object' ? change(v as object, `${path}${k}.`) : typeof v === 'number' ? v + 1 : typeof v === 'boolean' ? !v : changed[`${path}${k}` as keyof typeof changed]]))
    const config = change(defaults) as unknown as ChatPublicRuntimeConfig
    for (const [key, value] of Object.entries(config)) expect(value, `no changed value for ${key}`).toBeDefined()
    const built = { typing: typingExtension, readReceipts: readReceiptsExtension }
    expect(toPluginOptions(config, true, built)).toEqual({ ...config, extensions: built, connect: true })
  })

  it('hands over the extensions the build imported, off where runtime config turns them off', () => {
    const built = { typing: typingExtension, readReceipts: readReceiptsExtension }
    expect(toPluginOptions(defaults, true, built).extensions).toEqual({ typing: false, readReceipts: false })
    expect(toPluginOptions({ ...defaults, extensions: { typing: true, readReceipts: false } }, false, built).extensions).toEqual({ typing: typingExtension, readReceipts: false })
  })

  it('refuses an extension turned on at run time that the build left out, naming the fix', () => {
    const config = { ...defaults, extensions: { typing: false, readReceipts: true } }
    expect(() => toPluginOptions(config, true, { typing: typingExtension })).toThrow(ChatSetupError)
    expect(() => toPluginOptions(config, true, { typing: typingExtension })).toThrow(/chat\.extensions\.readReceipts is on at run time but was off in nuxt\.config/)
  })
})

describe('module defaults', () => {
  it('are the core DEFAULTS in JSON (no Infinity: 0 means no limit) plus URLs and tokenStorage', () => {
    const { baseUrl, apiUrl, wsUrl, tokenStorage, ...rest } = defaults
    expect([baseUrl, apiUrl, wsUrl, tokenStorage]).toEqual(['', '', '', ''])
    expect(rest).toEqual(JSON.parse(JSON.stringify(DEFAULTS, (_k, v: unknown) => (v === Number.POSITIVE_INFINITY ? 0 : v))))
  })

  it('resolve in the browser to what the core resolves without options', () => {
    const core = resolveOptions({}) as unknown as Record<string, unknown>
    const plugin = resolveOptions(toPluginOptions(defaults, true) as Parameters<typeof resolveOptions>[0]) as unknown as Record<string, unknown>
    for (const key of Object.keys(DEFAULTS).filter(k => k !== 'storage')) expect([key, plugin[key]]).toEqual([key, core[key]])
  })
})
