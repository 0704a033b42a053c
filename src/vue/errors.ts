/**
 * Setup mistakes (plugin, Pinia or an optional peer package missing). They are thrown, not reported,
 * because they are programming errors the app author fixes once; the message names the fix.
 */

/**
 * `plugin_missing`: `useChat()` and friends ran in an app without `ChatPlugin`. `pinia_missing`: Pinia was not installed first.
 * `no_context`: called outside `setup()`. `peer_missing`: the Nuxt module or the test server ran without an optional peer
 * dependency it needs (`@nuxt/kit`, `@pinia/nuxt`, `defu`, `ws`); the message names the package and the install command.
 */
export type ChatSetupErrorCode = 'plugin_missing' | 'pinia_missing' | 'no_context' | 'peer_missing'

/** Thrown for a wrong setup; `code` is stable, `message` says what to write instead. */
export class ChatSetupError extends Error {
  override readonly name = 'ChatSetupError'
  readonly code: ChatSetupErrorCode

  constructor(code: ChatSetupErrorCode, message: string) {
    super(message)
    this.code = code
  }
}

/** The install lines every message points to. */
export const SETUP_HINT = 'app.use(createPinia()); app.use(ChatPlugin, { baseUrl })'
