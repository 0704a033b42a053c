import { createApp } from 'vue'
import { createPinia } from 'pinia'
import { ChatPlugin } from 'vue-realtime-chat'

// Only for a backend that accepts typing and read-receipt frames: a stock Django Channels
// consumer closes the socket with 1011 on any frame it does not know.
createApp({})
  .use(createPinia())
  .use(ChatPlugin, { baseUrl: 'https://school.example', extensions: { typing: true, readReceipts: true } })
