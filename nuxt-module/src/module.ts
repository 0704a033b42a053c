/**
 * `vue-realtime-chat/nuxt`: the Nuxt module. Merges its options into `runtimeConfig.public.chat`
 * (so `NUXT_PUBLIC_CHAT_*` variables override them at run time), installs `@pinia/nuxt` when the
 * app has not, registers the runtime plugin that creates one chat client per app instance, and
 * auto-imports `useChat`, `useChatAuth` and `useChatStore`.
 */
import { addImports, addPlugin, createResolver, defineNuxtModule, hasNuxtModule, installModule } from '@nuxt/kit'
import { defu } from 'defu'
import type { ChatModuleOptions, ChatPublicRuntimeConfig } from './runtime/types'

export type { ChatModuleOptions, ChatPublicRuntimeConfig, ChatStorageKind } from './runtime/types'

/** Options of the `chat` key in `nuxt.config`. */
export type ModuleOptions = ChatModuleOptions

/** Defaults applied to `chat` options; every key can be overridden by a `NUXT_PUBLIC_CHAT_*` variable. */
export const defaults: ChatPublicRuntimeConfig = {
  baseUrl: '',
  apiUrl: '',
  wsUrl: '',
  storage: 'local',
  tokenStorage: '',
  storageKey: 'vrc',
  userIdClaim: 'user_id',
  refreshThresholdMs: 300_000,
  replayQuietMs: 300,
  maxFrameLength: 1_048_576,
  maxReplayFrames: 500_000,
  maxReplayMs: 300_000,
  echoTimeoutMs: 10_000,
  maxSendAttempts: 3,
  maxMessageLength: 5000,
  pauseWhenHidden: false,
  crossTab: true,
  reconnect: { baseDelayMs: 500, maxDelayMs: 30_000, maxAttempts: 0 },
  extensions: { typing: false, readReceipts: false },
}

export default defineNuxtModule<ModuleOptions>({
  meta: {
    name: 'vue-realtime-chat',
    configKey: 'chat',
    compatibility: { nuxt: '>=3.15.0' },
  },
  defaults: {},
  async setup(options, nuxt) {
    const { resolve } = createResolver(import.meta.url)

    // Pinia first: the chat store lives in it and its plugin must run before ours.
    if (!hasNuxtModule('@pinia/nuxt', nuxt)) {
      await installModule('@pinia/nuxt')
    }

    nuxt.options.runtimeConfig.public.chat = defu(
      nuxt.options.runtimeConfig.public.chat as Partial<ChatPublicRuntimeConfig> | undefined,
      options,
      defaults,
    ) as ChatPublicRuntimeConfig

    nuxt.options.build.transpile.push(resolve('./runtime'))
    addPlugin(resolve('./runtime/plugin'))
    addImports(['useChat', 'useChatAuth', 'useChatStore'].map(name => ({ name, from: 'vue-realtime-chat' })))
  },
})

declare module 'nuxt/schema' {
  interface PublicRuntimeConfig {
    chat: ChatPublicRuntimeConfig
  }
}
