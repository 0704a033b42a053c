/**
 * Runtime config → `ChatPluginOptions`: a pure function, kept apart from the plugin for tests.
 */
import type { ChatPluginOptions } from 'vue-realtime-chat'
import type { ChatPublicRuntimeConfig } from './types'

/**
 * Turn the (possibly env-overridden) public runtime config into plugin options.
 * On the server (`isClient: false`) nothing connects and storage stays in memory, so a render
 * never opens a socket and never reads a token.
 */
export function toPluginOptions(config: ChatPublicRuntimeConfig, isClient: boolean): ChatPluginOptions {
  const maxAttempts = Number(config.reconnect.maxAttempts)
  const maxSendAttempts = Number(config.maxSendAttempts)
  const options: ChatPluginOptions = {
    connect: isClient,
    storage: isClient ? config.storage : 'memory',
    storageKey: config.storageKey,
    userIdClaim: config.userIdClaim,
    refreshThresholdMs: Number(config.refreshThresholdMs),
    replayQuietMs: Number(config.replayQuietMs),
    echoTimeoutMs: Number(config.echoTimeoutMs),
    // 0 (JSON has no Infinity) never gives up; anything else invalid falls back to the core default.
    maxSendAttempts: maxSendAttempts === 0 ? Number.POSITIVE_INFINITY : maxSendAttempts,
    maxMessageLength: Number(config.maxMessageLength),
    pauseWhenHidden: Boolean(config.pauseWhenHidden),
    crossTab: isClient && Boolean(config.crossTab),
    reconnect: {
      baseDelayMs: Number(config.reconnect.baseDelayMs),
      maxDelayMs: Number(config.reconnect.maxDelayMs),
      maxAttempts: maxAttempts > 0 ? maxAttempts : Number.POSITIVE_INFINITY,
    },
    extensions: {
      typing: Boolean(config.extensions.typing),
      readReceipts: Boolean(config.extensions.readReceipts),
    },
  }
  if (config.baseUrl) options.baseUrl = config.baseUrl
  if (config.apiUrl) options.apiUrl = config.apiUrl
  if (config.wsUrl) options.wsUrl = config.wsUrl
  return options
}
