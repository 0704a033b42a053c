/**
 * Creates one chat client per Nuxt app instance (one per SSR request, one in the browser) and
 * installs the Vue plugin with the extensions the build imported. Sockets open in the browser only;
 * a server render reads the store and connects nothing. Before the client is created the `chat:options` hook lets the app's own
 * plugin add what runtime config cannot carry (functions, adapters).
 */
import { createChat } from 'vue-realtime-chat'
import type { ChatClient } from 'vue-realtime-chat'
import { defineNuxtPlugin, useRuntimeConfig } from '#app'
import extensions from '#vue-realtime-chat/extensions'
import { toPluginOptions } from './options'
import type { ChatPublicRuntimeConfig } from './types'

export default defineNuxtPlugin({
  name: 'vue-realtime-chat',
  dependsOn: ['pinia'],
  async setup(nuxtApp) {
    const config = useRuntimeConfig().public.chat as ChatPublicRuntimeConfig
    const options = toPluginOptions(config, import.meta.client, extensions)
    await nuxtApp.callHook('chat:options', options, { isClient: import.meta.client })
    const chat = createChat(options)
    nuxtApp.vueApp.use(chat)
    if (import.meta.server) {
      // A server app is never unmounted: free the request's client once the page is rendered,
      // or once rendering failed ('app:rendered' is not called then).
      const destroy = (): void => chat.client?.destroy()
      nuxtApp.hook('app:rendered', destroy)
      nuxtApp.hook('app:error', destroy)
    }
    return { provide: { chat: chat.client as ChatClient } }
  },
})
