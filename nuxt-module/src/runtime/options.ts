/**
 * Runtime config → `ChatPluginOptions`: a pure function, kept apart from the plugin for tests.
 */
import { ChatSetupError, DEFAULTS, type ChatPluginOptions, type ExtensionOptions } from 'vue-realtime-chat'
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
 * The extension `key` when runtime config turns it on: the one the build imported. Runtime config
 * can turn off what the build has, never turn on what it left out (a setup error naming the fix).
 */
function extension<K extends keyof ExtensionOptions>(key: K, flags: ChatPublicRuntimeConfig['extensions'] | undefined, built: ExtensionOptions): ExtensionOptions[K] {
  if (!flags?.[key]) return false
  const found = built[key]
  if (!found) throw new ChatSetupError('extension_missing', `chat.extensions.${key} is on at run time but was off in nuxt.config when the app was built: turn it on there`)
  return found
}

/**
 * Turn the (possibly env-overridden) public runtime config into plugin options, with the
 * extensions the build imported (`built`: the module's generated extensions module).
 * On the server (`isClient: false`) nothing connects and storage stays in memory, so a render
 * never opens a socket and never reads a token.
 */
export function toPluginOptions(config: ChatPublicRuntimeConfig, isClient: boolean, built: ExtensionOptions = {}): ChatPluginOptions {
  const options: ChatPluginOptions = {
    ...fromConfig(DEFAULTS, config as unknown as Record<string, unknown>),
    extensions: { typing: extension('typing', config.extensions, built), readReceipts: extension('readReceipts', config.extensions, built) },
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
