import { createSSRApp } from 'vue'
import { createPinia } from 'pinia'
import { renderToString } from 'vue/server-renderer'
import { createChat } from 'vue-realtime-chat'
import type { TokenPair } from 'vue-realtime-chat'
import App from './App.vue'

export async function render(baseUrl: string, tokensFromTheRequest?: TokenPair): Promise<string> {
  const app = createSSRApp(App)
  const chat = createChat({ baseUrl }) // `connect` is false on the server: no socket, no refresh
  app.use(createPinia()).use(chat)
  if (tokensFromTheRequest) chat.client?.auth.setTokens(tokensFromTheRequest) // render as the signed-in user
  // A server app is never unmounted: destroy the request's client, also when rendering fails.
  return renderToString(app).finally(() => chat.client?.destroy())
}
