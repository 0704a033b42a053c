// nuxt.config.ts
import { defineNuxtConfig } from 'nuxt/config'

export default defineNuxtConfig({
  modules: ['vue-realtime-chat/nuxt'],
  chat: {
    baseUrl: 'https://school.example', // empty: the page's own origin
    tokenStorage: 'memory', // optional: tokens never touch web storage (signs out on reload)
  },
})
