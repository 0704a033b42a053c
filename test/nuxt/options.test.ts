import { describe, expect, it } from 'vitest'
import { defaults } from '../../nuxt-module/src/module'
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
})

describe('module defaults', () => {
  it('agree with the core defaults for every option they share', async () => {
    const { resolveOptions } = await import('../../src/core/options')
    const core = resolveOptions({}) as unknown as Record<string, unknown>
    const plugin = toPluginOptions(defaults, true) as Record<string, unknown>
    const shared = Object.keys(plugin).filter(k => k in core && typeof core[k] !== 'object')
    expect(shared.length).toBeGreaterThan(10)
    for (const key of shared) expect([key, plugin[key]]).toEqual([key, core[key]])
    expect(plugin.reconnect).toEqual(core.reconnect)
    expect(plugin.extensions).toEqual(core.extensions)
  })
})
