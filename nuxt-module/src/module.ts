/**
 * `vue-realtime-chat/nuxt`: the Nuxt module. Merges its options into `runtimeConfig.public.chat`
 * (so `NUXT_PUBLIC_CHAT_*` variables override them at run time), installs `@pinia/nuxt` when the
 * app has not, generates the module of the extensions turned on (the only ones the app bundles),
 * registers the runtime plugin that creates one chat client per app instance (after the
 * `chat:options` hook), and auto-imports `useChat`, `useChatAuth` and `useChatStore`.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { importPeers, missingPeerError } from '../../src/packaging/optional-peer'
import { defaults } from './defaults'
import { EXTENSIONS_MODULE, extensionsModule, extensionsModuleTypes } from './extensions'
import type { ChatModuleOptions, ChatPublicRuntimeConfig } from './runtime/types'

const FEATURE = 'vue-realtime-chat/nuxt'

// Optional peers (a plain Vue app never installs them): a missing one fails here, naming it.
const {
  '@nuxt/kit': { addImports, addPlugin, addTemplate, addTypeTemplate, createResolver, defineNuxtModule, hasNuxtModule, installModule },
  defu: { defu },
} = await importPeers(FEATURE, { '@nuxt/kit': () => import('@nuxt/kit'), defu: () => import('defu') })

export type { ChatModuleOptions, ChatOptionsHookContext, ChatPublicRuntimeConfig, ChatStorageKind } from './runtime/types'

/** Options of the `chat` key in `nuxt.config`. */
export type ModuleOptions = ChatModuleOptions

export { defaults }

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
      // Nuxt resolves it from the app, so the app installs it; a failure is only ours to explain when it is absent.
      try {
        await installModule('@pinia/nuxt')
      }
      catch (error) {
        if (!nuxt.options.modulesDir.some(dir => existsSync(join(dir, '@pinia/nuxt', 'package.json')))) throw missingPeerError(FEATURE, ['@pinia/nuxt'])
        throw error
      }
    }

    const chat = nuxt.options.runtimeConfig.public.chat = defu(
      nuxt.options.runtimeConfig.public.chat as Partial<ChatPublicRuntimeConfig> | undefined,
      options,
      defaults,
    ) as ChatPublicRuntimeConfig

    // Known at build time: the runtime plugin imports exactly the extensions turned on here.
    const extensions = addTemplate({ filename: 'vue-realtime-chat/extensions.mjs', write: true, getContents: () => extensionsModule(chat.extensions) })
    nuxt.options.alias[EXTENSIONS_MODULE] = extensions.dst
    addTypeTemplate({ filename: 'types/vue-realtime-chat-extensions.d.ts', getContents: () => extensionsModuleTypes })

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
