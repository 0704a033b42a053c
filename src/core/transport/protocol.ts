/**
 * Wire protocol: decode inbound frames (never throws), encode outbound frames, normalise ids and
 * timestamps.
 */
import { ChatError } from '../errors'
import type { UserId } from '../types'

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
  /** Longer frames (in characters) are dropped unparsed, see `ChatClientOptions.maxFrameLength`. @default 1048576 */
  maxFrameLength?: number
}

/** Longest excerpt of a bad frame kept in `ChatError.details.preview`. */
export const MALFORMED_PREVIEW_LENGTH = 120

/** Default `maxFrameLength`: 1 MiB of JSON (the reference servers send ASCII, so characters are bytes). */
export const DEFAULT_MAX_FRAME_LENGTH = 1_048_576

/**
 * The first `length` characters as a string of their own: a `slice` of a long string is a view
 * that keeps the whole string alive (V8), so an error holding it would hold the whole frame.
 */
function flatPrefix(s: string, length: number): string {
  const codes: number[] = []
  for (let i = 0; i < length && i < s.length; i++) codes.push(s.charCodeAt(i))
  return String.fromCharCode.apply(null, codes)
}

function malformed(reason: string, data: unknown, extra?: Record<string, unknown>): ChatError {
  const preview = typeof data === 'string'
    ? flatPrefix(data, MALFORMED_PREVIEW_LENGTH)
    : Object.prototype.toString.call(data)
  return new ChatError('malformed_frame', `Dropped a malformed frame: ${reason}`, { details: { preview, ...extra } })
}

/**
 * The runtime's decoder (internal; `decodeFrame` is the public form): the frame itself or a
 * `malformed_frame` ChatError, never thrown. No `{ ok, frame }` wrapper: a replay is thousands of
 * frames, and the wrapper was one more object each.
 */
export function decodeInbound(data: unknown, extensions: boolean, maxFrameLength = DEFAULT_MAX_FRAME_LENGTH): InboundFrame | ChatError {
  if (typeof data !== 'string') return malformed('binary or non-text payload', data)
  if (data.length > maxFrameLength) return malformed('frame too large', data, { length: data.length, maxFrameLength })
  let value: unknown
  try {
    value = JSON.parse(data)
  }
  catch {
    return malformed('invalid JSON', data)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return malformed('not a JSON object', data)
  const obj = value as Record<string, unknown>

  const message = obj.message
  if (message !== undefined) {
    let content: string
    if (typeof message === 'string') content = message
    else if (typeof message === 'number' && Number.isFinite(message)) content = String(message)
    else return malformed('"message" is not text', data)
    const senderId = normaliseUserId(obj.sender_id)
    if (senderId === null) return malformed('missing or invalid "sender_id"', data)
    return { kind: 'live', senderId, content }
  }

  const content = obj.content
  if (content !== undefined) {
    if (typeof content !== 'string') return malformed('"content" is not a string', data)
    const senderId = normaliseUserId(obj.sender_id)
    if (senderId === null) return malformed('missing or invalid "sender_id"', data)
    const receiverId = normaliseUserId(obj.reciever_id !== undefined ? obj.reciever_id : obj.receiver_id)
    if (receiverId === null) return malformed('missing or invalid "reciever_id"', data)
    const raw = obj.timestamp
    if (typeof raw !== 'string') return malformed('missing "timestamp"', data)
    const time = parseTimestamp(raw)
    if (time === null) return malformed('invalid "timestamp"', data)
    return { kind: 'history', senderId, receiverId, content, timestamp: lastIso ?? new Date(time).toISOString(), time, isRead: obj.is_read === true }
  }

  if (extensions && (obj.type === 'typing' || obj.type === 'read')) {
    const senderId = normaliseUserId(obj.sender_id)
    if (senderId === null) return malformed('missing or invalid "sender_id"', data)
    return { kind: obj.type, senderId }
  }

  return malformed('unknown frame shape', data)
}

/** Decode one WebSocket `data` payload. Never throws: malformed input gives `{ ok: false, error }` with code `malformed_frame`. */
export function decodeFrame(data: unknown, options?: DecodeOptions): DecodeResult {
  const frame = decodeInbound(data, options?.extensions === true, options?.maxFrameLength)
  if (frame instanceof ChatError) return { ok: false, error: frame }
  return { ok: true, frame }
}

/** `{"message": content}`. */
export function encodeMessage(content: string): string {
  return JSON.stringify({ message: content })
}

/** `{"type":"typing"}` / `{"type":"read"}` (extension servers only). */
export function encodeExtension(type: 'typing' | 'read'): string {
  return JSON.stringify({ type })
}

const smallIds: string[] = []

/** `1`, `"1"`, `" 1 "` → `"1"`; anything that is not a non-negative integer id → `null`. */
export function normaliseUserId(value: unknown): UserId | null {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) return null
    if (value < 4096) return smallIds[value] ?? (smallIds[value] = String(value))
    return String(value)
  }
  if (typeof value !== 'string') return null
  const s = value.trim()
  const n = s.length
  if (n === 0) return null
  let start = 0
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return null
    if (c === 48 && start === i && i < n - 1) start = i + 1
  }
  return start === 0 ? s : s.slice(start)
}

/**
 * Normalised ISO form of the string the last successful `parseTimestamp` call read through the fast
 * path, or `null` when it took the fallback (then `new Date(ms).toISOString()` is the normal form).
 */
let lastIso: string | null = null

const DIGIT = 48

function d2(s: string, i: number): number {
  const a = s.charCodeAt(i) - DIGIT
  const b = s.charCodeAt(i + 1) - DIGIT
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 29 : 28
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/** Char codes of the normal form `parseFixed` writes (reused). */
const isoCodes: number[] = []

/**
 * `YYYY-MM-DDTHH:MM:SS[.f+](Z|±HH:MM)` without Date or regexes; NaN when the layout differs. For a UTC
 * time the normal form is written with `String.fromCharCode`, which makes one flat string (a slice or
 * a concatenation would keep a cons and the whole raw timestamp alive as long as the message lives;
 * `[slice, 'Z'].join('')` cost a third of the `JSON.parse` floor of a history replay).
 */
function parseFixed(s: string): number {
  lastIso = null
  const len = s.length
  if (len < 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN
  const t = s.charCodeAt(10)
  if (t !== 84 && t !== 32) return NaN
  const yh = d2(s, 0)
  const yl = d2(s, 2)
  const mo = d2(s, 5)
  const da = d2(s, 8)
  const hh = d2(s, 11)
  const mi = d2(s, 14)
  const ss = d2(s, 17)
  if (yh < 0 || yl < 0 || mo < 0 || da < 0 || hh < 0 || mi < 0 || ss < 0) return NaN
  const year = yh * 100 + yl
  // The layout is ours from here: an impossible date is invalid, not a case for the lenient fallback.
  if (mo < 1 || mo > 12 || da < 1 || da > daysInMonth(year, mo) || hh > 23 || mi > 59 || ss > 59) return Infinity
  let i = 19
  let ms = 0
  let fracDigits = 0
  if (s.charCodeAt(i) === 46) {
    i++
    while (i < len) {
      const c = s.charCodeAt(i) - DIGIT
      if (c < 0 || c > 9) break
      if (fracDigits < 3) ms = ms * 10 + c
      fracDigits++
      i++
    }
    if (fracDigits === 0) return NaN
    for (let k = fracDigits; k < 3; k++) ms *= 10
  }
  let offset = 0
  const z = s.charCodeAt(i)
  if (z === 90 && i + 1 === len) {
    // 'Z'
  }
  else if ((z === 43 || z === 45) && i + 6 === len && s.charCodeAt(i + 3) === 58) {
    const oh = d2(s, i + 1)
    const om = d2(s, i + 4)
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN
    offset = (oh * 60 + om) * 60000
    if (z === 45) offset = -offset
  }
  else {
    return NaN
  }
  const result = daysFromCivil(year, mo, da) * 86400000 + ((hh * 60 + mi) * 60 + ss) * 1000 + ms - offset
  if (offset === 0) {
    // Fraction digits end at `i`: missing ones are '0'.
    for (let k = 0; k < 23; k++) isoCodes[k] = k < i ? s.charCodeAt(k) : DIGIT
    isoCodes[10] = 84
    isoCodes[19] = 46
    isoCodes[23] = 90
    lastIso = String.fromCharCode.apply(null, isoCodes)
  }
  return result
}

/** ISO 8601 with `Z` or `+00:00`, with or without fraction (microseconds allowed) → epoch ms, or `null`. */
export function parseTimestamp(value: string): number | null {
  if (typeof value !== 'string') return null
  const fast = parseFixed(value)
  if (fast === fast) return fast === Infinity ? null : fast
  const slow = Date.parse(value)
  return Number.isNaN(slow) ? null : slow
}

/** The normalised ISO string (`YYYY-MM-DDTHH:MM:SS.mmmZ`) of a timestamp, or `null` when unparseable. */
export function normaliseTimestamp(value: string): string | null {
  const ms = parseTimestamp(value)
  if (ms === null) return null
  return lastIso ?? new Date(ms).toISOString()
}
