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
