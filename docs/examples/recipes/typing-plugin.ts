import { createApp } from 'vue'
import { createPinia } from 'pinia'
import { ChatPlugin, readReceiptsExtension, typingExtension } from 'vue-realtime-chat'

// Only for a backend that accepts typing and read-receipt frames: a stock Django Channels
// consumer closes the socket with 1011 on any frame it does not know. Each extension is an import,
// so an app that leaves one out does not bundle it.
createApp({})
  .use(createPinia())
  .use(ChatPlugin, { baseUrl: 'https://school.example', extensions: { typing: typingExtension, readReceipts: readReceiptsExtension } })
