import type { App, Plugin } from 'vue'
import { effectScope } from 'vue'
import { isClient } from '@vueuse/core'
import { createChatClient, type CreateChatClientOptions } from '../core/client'
import type { ChatClient, EnvironmentSignals } from '../core/types'
import { createBindings } from './bindings'
import { ChatClientKey, ChatContextKey, type ChatContext } from './context'
import { createVueSignals } from './environment'
import { ChatSetupError, SETUP_HINT } from './errors'
import { resolveStorages, type ChatStorageOption } from './storage'
import { toErrorInfo, useChatStore } from './store'
// Last: what only the devtools import must not move the modules of a production build.
import { setupChatDevtools } from './devtools/plugin'

/** Options of `ChatPlugin` / `createChat`: the core's client options plus Vue-specific ones. */
export interface ChatPluginOptions extends Omit<CreateChatClientOptions, 'storage' | 'tokenStorage' | 'signals'> {
  /**
   * Where unsent messages, read markers and read receipts persist (they hold no secrets). With
   * `'local'` a reload or another tab sends what was queued; `'memory'` loses it on reload.
   * @default 'local'
   */
  storage?: ChatStorageOption
  /**
   * Where the session (tokens, profile) persists. `'memory'` is safest against XSS but signs the
   * user out on every reload; `'session'` keeps one tab signed in across reloads, but a duplicated
   * tab then refreshes with its own copy of a rotating refresh token; `'local'` shares one session
   * between tabs.
   * @default the `storage` option
   */
  tokenStorage?: ChatStorageOption
  /**
   * Online/visibility signals for reconnect decisions.
   * @default VueUse `useOnline()` + `useDocumentVisibility()`
   */
  signals?: EnvironmentSignals
  /**
   * Use this client instead of creating one (its lifetime stays yours: unmounting the app does not destroy it).
   * Client options are ignored when it is given.
   */
  client?: ChatClient
  /**
   * Open conversations. Off during SSR so server rendering never opens a socket. Off also makes
   * the created client passive: no token refresh, no cross-tab channel, no timers (see `passive`).
   * A plain-Vue server render should still call `chat.client.destroy()` once rendered.
   * @default true in a browser, false on the server
   */
  connect?: boolean
}

/** What `createChat()` returns: a Vue plugin that also exposes the client it created. */
export interface ChatPluginInstance {
  install(app: App): void
  /** The client, once installed (`null` before). */
  readonly client: ChatClient | null
}

/**
 * Create the chat plugin for ONE app: `app.use(createChat({ baseUrl }))`.
 * Installs a `ChatClient`, syncs it into the Pinia store `useChatStore`, and provides it to
 * `useChat()`, `useChatAuth()` and `useChatClient()`. Pinia must be installed first.
 * Nothing is module-level: every app (every SSR request) gets its own client.
 *
 * @example
 * ```ts
 * app.use(createPinia())
 * app.use(createChat({ baseUrl: 'https://school.example' }))
 * ```
 */
export function createChat(options: ChatPluginOptions = {}): ChatPluginInstance {
  let installed: ChatClient | null = null
  return {
    get client() {
      return installed
    },
    install(app) {
      // Typed as always there by Pinia's augmentation, but an app may not have installed it.
      const pinia = (app.config.globalProperties as Partial<typeof app.config.globalProperties>).$pinia
      if (!pinia) {
        throw new ChatSetupError('pinia_missing', `Install Pinia first: ${SETUP_HINT} (Nuxt: add '@pinia/nuxt' to modules)`)
      }
      const { storage, tokenStorage, signals, client: given, connect = isClient, ...clientOptions } = options
      const scope = effectScope(true)
      const client = given ?? createChatClient({
        passive: !connect,
        ...clientOptions,
        ...resolveStorages(storage, tokenStorage),
        ...(signals ? { signals } : connect ? { signals: createVueSignals(scope) } : {}),
      })
      installed = client

      const store = useChatStore(pinia)
      const syncAuth = (): void => store.applyAuth(client.auth.getState())
      syncAuth()
      const stops = [
        client.auth.subscribe(syncAuth),
        client.auth.on('unauthorized', error => store.setAuthError(toErrorInfo(error))),
      ]
      const bindings = createBindings(client, store)
      const context: ChatContext = { client, store, bindings, connect }
      app.provide(ChatClientKey, client)
      app.provide(ChatContextKey, context)
      // Bundlers replace NODE_ENV, so production builds drop the devtools plugin entirely.
      if (process.env.NODE_ENV !== 'production' && connect) scope.run(() => setupChatDevtools(app, client, store))

      const teardown = (): void => {
        for (const stop of stops) stop()
        bindings.destroy()
        scope.stop()
        if (!given) client.destroy()
      }
      if (typeof app.onUnmount === 'function') {
        app.onUnmount(teardown)
      }
      else {
        const unmount = app.unmount.bind(app)
        app.unmount = () => {
          unmount()
          teardown()
        }
      }
    },
  }
}

/**
 * The chat plugin: `app.use(ChatPlugin, { baseUrl })` (same as `app.use(createChat({ baseUrl }))`).
 * Install Pinia first.
 */
export const ChatPlugin: Plugin<[ChatPluginOptions?]> = {
  install(app: App, options?: ChatPluginOptions) {
    createChat(options).install(app)
  },
}
