/**
 * Setup mistakes in the Vue layer (plugin or Pinia missing). They are thrown, not reported,
 * because they are programming errors the app author fixes once; the message names the fix.
 */

/** `plugin_missing`: `useChat()` and friends ran in an app without `ChatPlugin`. `pinia_missing`: Pinia was not installed first. `no_context`: called outside `setup()`. */
export type ChatSetupErrorCode = 'plugin_missing' | 'pinia_missing' | 'no_context'

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
