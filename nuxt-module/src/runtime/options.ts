/**
 * Runtime config → `ChatPluginOptions`: a pure function, kept apart from the plugin for tests.
 */
import { DEFAULTS, type ChatPluginOptions } from 'vue-realtime-chat'
import type { ChatPublicRuntimeConfig } from './types'

/** Limits where runtime config says `0` for none (JSON has no Infinity). */
const NONE_AT_ZERO: readonly string[] = ['maxSendAttempts', 'maxAttempts']

/**
 * Each key of `DEFAULTS` read from the config in the type of its default (an env override may
 * arrive as a string). Anything invalid goes to the core, which uses its default.
 */
function fromConfig(defaults: object, config: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, d] of Object.entries(defaults)) {
    const v = config?.[key]
    if (v === undefined) continue
    out[key] = typeof d === 'object'
      ? fromConfig(d as object, v as Record<string, unknown>)
      : typeof d === 'number'
        ? Number(v) === 0 && NONE_AT_ZERO.includes(key) ? Number.POSITIVE_INFINITY : Number(v)
        : typeof d === 'boolean' ? Boolean(v) : v
  }
  return out
}

/**
 * Turn the (possibly env-overridden) public runtime config into plugin options.
 * On the server (`isClient: false`) nothing connects and storage stays in memory, so a render
 * never opens a socket and never reads a token.
 */
export function toPluginOptions(config: ChatPublicRuntimeConfig, isClient: boolean): ChatPluginOptions {
  const options: ChatPluginOptions = {
    ...fromConfig(DEFAULTS, config as unknown as Record<string, unknown>),
    connect: isClient,
    storage: isClient ? config.storage : 'memory',
    tokenStorage: isClient ? config.tokenStorage || config.storage : 'memory',
    crossTab: isClient && Boolean(config.crossTab),
  }
  if (config.baseUrl) options.baseUrl = config.baseUrl
  if (config.apiUrl) options.apiUrl = config.apiUrl
  if (config.wsUrl) options.wsUrl = config.wsUrl
  return options
}
