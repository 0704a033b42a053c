/**
 * Creates one chat client per Nuxt app instance (one per SSR request, one in the browser) and
 * installs the Vue plugin. Sockets open in the browser only; a server render reads the store
 * and connects nothing.
 */
import { createChat } from 'vue-realtime-chat'
import type { ChatClient } from 'vue-realtime-chat'
import { defineNuxtPlugin, useRuntimeConfig } from '#app'
import { toPluginOptions } from './options'
import type { ChatPublicRuntimeConfig } from './types'

export default defineNuxtPlugin({
  name: 'vue-realtime-chat',
  dependsOn: ['pinia'],
  setup(nuxtApp) {
    const config = useRuntimeConfig().public.chat as ChatPublicRuntimeConfig
    const chat = createChat(toPluginOptions(config, import.meta.client))
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
