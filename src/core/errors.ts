/**
 * Every failure the library reports is a ChatError with a stable `code`.
 * Messages never contain tokens or URLs that carry tokens.
 */
export type ChatErrorCode =
  // input
  | 'empty_message'
  | 'message_too_long'
  | 'invalid_message'
  | 'invalid_peer'
  | 'outbox_full'
  // frames
  | 'malformed_frame'
  /** A history replay went past `maxReplayFrames` / `maxReplayMs`; the socket is reopened with backoff. */
  | 'replay_too_long'
  // auth
  | 'invalid_credentials'
  | 'validation'
  | 'not_authenticated'
  | 'unauthorized'
  | 'refresh_failed'
  | 'storage_write_failed'
  // transport
  | 'network'
  | 'http'
  | 'handshake_failed'
  | 'server_error'
  | 'max_attempts'
  | 'closed'

export interface ChatErrorOptions {
  /** HTTP status, WebSocket close code, ... */
  status?: number
  /** Field errors from a 400 response, the offending frame (truncated), ... */
  details?: Record<string, unknown>
  cause?: unknown
}

export class ChatError extends Error {
  override readonly name = 'ChatError'
  readonly code: ChatErrorCode
  readonly status?: number
  readonly details?: Record<string, unknown>

  constructor(code: ChatErrorCode, message: string, options: ChatErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    if (options.status !== undefined) this.status = options.status
    if (options.details !== undefined) this.details = options.details
  }
}

export function isChatError(value: unknown): value is ChatError {
  return value instanceof ChatError
}

/**
 * `plugin_missing`: `useChat()` and friends ran in an app without `ChatPlugin`. `pinia_missing`: Pinia was not installed first.
 * `no_context`: called outside `setup()`. `peer_missing`: the Nuxt module or the test server ran without an optional peer
 * dependency it needs (`@nuxt/kit`, `@pinia/nuxt`, `defu`, `ws`); the message names the package and the install command.
 * `extension_missing`: an `extensions` option is `true` (or anything else) instead of the imported extension
 * (`typingExtension`, `readReceiptsExtension`), or a Nuxt app turned one on at run time that its build left out.
 */
export type ChatSetupErrorCode = 'plugin_missing' | 'pinia_missing' | 'no_context' | 'peer_missing' | 'extension_missing'

/**
 * A setup mistake (plugin, Pinia, an optional peer package or an extension missing). Thrown, not
 * reported: it is a programming error the app author fixes once; `code` is stable, `message` says
 * what to write instead.
 */
export class ChatSetupError extends Error {
  override readonly name = 'ChatSetupError'
  readonly code: ChatSetupErrorCode

  constructor(code: ChatSetupErrorCode, message: string) {
    super(message)
    this.code = code
  }
}
