/**
 * Wire protocol: decode inbound frames (never throws), encode outbound frames, normalise ids and
 * timestamps. See shared PROTOCOL.md. CONTRACT FILE: signatures are fixed, bodies are implemented
 * by the core-pure work.
 */
import type { ChatError } from './errors'
import type { UserId } from './types'

/** A stored message replayed on connect: `{sender_id, reciever_id, content, timestamp, is_read}`. */
export interface HistoryFrame {
  readonly kind: 'history'
  readonly senderId: UserId
  readonly receiverId: UserId
  readonly content: string
  /** Normalised ISO string (`...Z`, milliseconds). */
  readonly timestamp: string
  /** Epoch ms of `timestamp`. */
  readonly time: number
  readonly isRead: boolean
}

/** A live broadcast: `{message, sender_id}` (the sender's own echo included). */
export interface LiveFrame {
  readonly kind: 'live'
  readonly senderId: UserId
  /** `message` as text (a number on the wire becomes its string form). */
  readonly content: string
}

/** Extension frame `{"type":"typing","sender_id":…}`; only decoded when the extension is on. */
export interface TypingFrame {
  readonly kind: 'typing'
  readonly senderId: UserId
}

/** Extension frame `{"type":"read","sender_id":…}`; only decoded when the extension is on. */
export interface ReadFrame {
  readonly kind: 'read'
  readonly senderId: UserId
}

export type InboundFrame = HistoryFrame | LiveFrame | TypingFrame | ReadFrame

export type DecodeResult =
  | { readonly ok: true; readonly frame: InboundFrame }
  | { readonly ok: false; readonly error: ChatError }

export interface DecodeOptions {
  /** Accept `typing` / `read` extension frames. @default false */
  extensions?: boolean
}

/** Decode one WebSocket `data` payload. Never throws: malformed input gives `{ ok: false, error }` with code `malformed_frame`. */
export declare function decodeFrame(data: unknown, options?: DecodeOptions): DecodeResult

/** `{"message": content}`. */
export declare function encodeMessage(content: string): string

/** `{"type":"typing"}` / `{"type":"read"}` (extension servers only). */
export declare function encodeExtension(type: 'typing' | 'read'): string

/** `1`, `"1"`, `" 1 "` → `"1"`; anything that is not a non-negative integer id → `null`. */
export declare function normaliseUserId(value: unknown): UserId | null

/** ISO 8601 with `Z` or `+00:00`, with or without fraction (microseconds allowed) → epoch ms, or `null`. */
export declare function parseTimestamp(value: string): number | null
