/**
 * Runtime config → `ChatPluginOptions`: a pure function, kept apart from the plugin for tests.
 */
import type { ChatPluginOptions } from 'vue-realtime-chat'
import type { ChatPublicRuntimeConfig } from './types'

/** A limit from runtime config: `0` means none (JSON has no Infinity); anything invalid goes to the core, which uses its default. */
function limit(value: unknown): number {
  const n = Number(value)
  return n === 0 ? Number.POSITIVE_INFINITY : n
}

/**
 * Turn the (possibly env-overridden) public runtime config into plugin options.
 * On the server (`isClient: false`) nothing connects and storage stays in memory, so a render
 * never opens a socket and never reads a token.
 */
export function toPluginOptions(config: ChatPublicRuntimeConfig, isClient: boolean): ChatPluginOptions {
  const options: ChatPluginOptions = {
    connect: isClient,
    storage: isClient ? config.storage : 'memory',
    tokenStorage: isClient ? config.tokenStorage || config.storage : 'memory',
    storageKey: config.storageKey,
    userIdClaim: config.userIdClaim,
    refreshThresholdMs: Number(config.refreshThresholdMs),
    replayQuietMs: Number(config.replayQuietMs),
    maxFrameLength: Number(config.maxFrameLength),
    maxReplayFrames: Number(config.maxReplayFrames),
    maxReplayMs: Number(config.maxReplayMs),
    echoTimeoutMs: Number(config.echoTimeoutMs),
    maxSendAttempts: limit(config.maxSendAttempts),
    maxMessageLength: Number(config.maxMessageLength),
    pauseWhenHidden: Boolean(config.pauseWhenHidden),
    crossTab: isClient && Boolean(config.crossTab),
    reconnect: {
      baseDelayMs: Number(config.reconnect.baseDelayMs),
      maxDelayMs: Number(config.reconnect.maxDelayMs),
      maxAttempts: limit(config.reconnect.maxAttempts),
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
