// main.ts
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import { ChatPlugin } from 'vue-realtime-chat'
import App from './App.vue'

const app = createApp(App)
app.use(createPinia()) // Pinia first: the chat store lives in it
app.use(ChatPlugin, {
  // REST at /api/auth/…, sockets at wss://school.example/ws/chat/{peerId}/
  baseUrl: 'https://school.example',
}) // the login and unsent messages survive a reload (localStorage)
app.mount('#app')
