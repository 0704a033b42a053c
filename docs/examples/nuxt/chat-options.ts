// plugins/chat-options.ts
import { defineNuxtPlugin } from 'nuxt/app'

export default defineNuxtPlugin({
  name: 'chat-options',
  enforce: 'pre', // before the module's plugin, which creates the client
  setup(nuxtApp) {
    nuxtApp.hook('chat:options', (options, { isClient }) => {
      if (!isClient) return
      options.logger = {
        warn: (message, details) => console.warn(`[chat] ${message}`, details),
      }
    })
  },
})
