/**
 * Wire protocol: decode inbound frames (never throws), encode outbound frames, normalise ids and
 * timestamps. See shared PROTOCOL.md. CONTRACT FILE: signatures are fixed, bodies are implemented
 * by the core-pure work.
 */
import { ChatError } from './errors'
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

/** Longest excerpt of a bad frame kept in `ChatError.details.preview`. */
export const MALFORMED_PREVIEW_LENGTH = 120

function malformed(reason: string, data: unknown): ChatError {
  const preview = typeof data === 'string'
    ? data.slice(0, MALFORMED_PREVIEW_LENGTH)
    : Object.prototype.toString.call(data)
  return new ChatError('malformed_frame', `Dropped a malformed frame: ${reason}`, { details: { preview } })
}

/** A history frame whose fields `decodeInbound` overwrites on every history frame it decodes. */
export type HistoryScratch = { -readonly [K in keyof HistoryFrame]: HistoryFrame[K] }

/** A blank `HistoryScratch` (one per consumer; its field types never change, so V8 keeps one shape). */
export function historyScratch(): HistoryScratch {
  return { kind: 'history', senderId: '', receiverId: '', content: '', timestamp: '', time: 0, isRead: false }
}

/**
 * The runtime's decoder (internal; `decodeFrame` is the public form). A history frame is written into
 * `scratch` and `scratch` itself is returned, valid until the next call: a replay is thousands of
 * frames, and a wrapper plus a frame object each would double what it allocates. Consumers read it at
 * once and copy what they keep. Other frames are fresh objects; malformed input returns (never
 * throws) a `malformed_frame` ChatError.
 */
export function decodeInbound(data: unknown, extensions: boolean, scratch: HistoryScratch): InboundFrame | ChatError {
  if (typeof data !== 'string') return malformed('binary or non-text payload', data)
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
    scratch.senderId = senderId
    scratch.receiverId = receiverId
    scratch.content = content
    scratch.timestamp = lastIso ?? new Date(time).toISOString()
    scratch.time = time
    scratch.isRead = obj.is_read === true
    return scratch
  }

  if (extensions && (obj.type === 'typing' || obj.type === 'read')) {
    const senderId = normaliseUserId(obj.sender_id)
    if (senderId === null) return malformed('missing or invalid "sender_id"', data)
    return { kind: obj.type, senderId }
  }

  return malformed('unknown frame shape', data)
}

const publicScratch = historyScratch()

/** Decode one WebSocket `data` payload. Never throws: malformed input gives `{ ok: false, error }` with code `malformed_frame`. */
export function decodeFrame(data: unknown, options?: DecodeOptions): DecodeResult {
  const frame = decodeInbound(data, options?.extensions === true, publicScratch)
  if (frame instanceof ChatError) return { ok: false, error: frame }
  if (frame !== publicScratch) return { ok: true, frame }
  const { senderId, receiverId, content, timestamp, time, isRead } = frame
  return { ok: true, frame: { kind: 'history', senderId, receiverId, content, timestamp, time, isRead } }
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

/** The value of a decimal digit's char code, or -1. */
function digit(c: number): number {
  const d = c - DIGIT
  return d >= 0 && d <= 9 ? d : -1
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

/**
 * `YYYY-MM-DDTHH:MM:SS[.f+](Z|±HH:MM)` without Date or regexes; NaN when the layout differs. Each
 * character is read once; for a UTC time the normal form is written from the same codes with
 * `String.fromCharCode`, which makes one flat string (a slice or concatenation would keep a cons and
 * the whole raw timestamp alive for as long as the message lives; `[slice, 'Z'].join('')` costs a
 * third of the `JSON.parse` floor).
 */
function parseFixed(s: string): number {
  lastIso = null
  const len = s.length
  if (len < 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return Number.NaN
  const t = s.charCodeAt(10)
  if (t !== 84 && t !== 32) return Number.NaN
  const c0 = s.charCodeAt(0)
  const c1 = s.charCodeAt(1)
  const c2 = s.charCodeAt(2)
  const c3 = s.charCodeAt(3)
  const c5 = s.charCodeAt(5)
  const c6 = s.charCodeAt(6)
  const c8 = s.charCodeAt(8)
  const c9 = s.charCodeAt(9)
  const c11 = s.charCodeAt(11)
  const c12 = s.charCodeAt(12)
  const c14 = s.charCodeAt(14)
  const c15 = s.charCodeAt(15)
  const c17 = s.charCodeAt(17)
  const c18 = s.charCodeAt(18)
  const y0 = digit(c0)
  const y1 = digit(c1)
  const y2 = digit(c2)
  const y3 = digit(c3)
  const mo0 = digit(c5)
  const mo1 = digit(c6)
  const d0 = digit(c8)
  const d1 = digit(c9)
  const h0 = digit(c11)
  const h1 = digit(c12)
  const mi0 = digit(c14)
  const mi1 = digit(c15)
  const s0 = digit(c17)
  const s1 = digit(c18)
  if ((y0 | y1 | y2 | y3 | mo0 | mo1 | d0 | d1 | h0 | h1 | mi0 | mi1 | s0 | s1) < 0) return Number.NaN
  const year = ((y0 * 10 + y1) * 10 + y2) * 10 + y3
  const mo = mo0 * 10 + mo1
  const da = d0 * 10 + d1
  const hh = h0 * 10 + h1
  const mi = mi0 * 10 + mi1
  const ss = s0 * 10 + s1
  // The layout is ours from here: an impossible date is invalid, not a case for the lenient fallback.
  if (mo < 1 || mo > 12 || da < 1 || da > daysInMonth(year, mo) || hh > 23 || mi > 59 || ss > 59) return Number.POSITIVE_INFINITY
  let i = 19
  // The first three fraction digits as char codes ('0' when absent) and as milliseconds.
  let f0 = DIGIT
  let f1 = DIGIT
  let f2 = DIGIT
  if (s.charCodeAt(i) === 46) {
    i++
    const from = i
    while (i < len) {
      const c = s.charCodeAt(i)
      if (c < DIGIT || c > DIGIT + 9) break
      if (i === from) f0 = c
      else if (i === from + 1) f1 = c
      else if (i === from + 2) f2 = c
      i++
    }
    if (i === from) return Number.NaN
  }
  const ms = (f0 - DIGIT) * 100 + (f1 - DIGIT) * 10 + (f2 - DIGIT)
  let offset = 0
  const z = s.charCodeAt(i)
  if (z === 90 && i + 1 === len) {
    // 'Z'
  }
  else if ((z === 43 || z === 45) && i + 6 === len && s.charCodeAt(i + 3) === 58) {
    const oh0 = digit(s.charCodeAt(i + 1))
    const oh1 = digit(s.charCodeAt(i + 2))
    const om0 = digit(s.charCodeAt(i + 4))
    const om1 = digit(s.charCodeAt(i + 5))
    if ((oh0 | oh1 | om0 | om1) < 0) return Number.NaN
    const oh = oh0 * 10 + oh1
    const om = om0 * 10 + om1
    if (oh > 23 || om > 59) return Number.NaN
    offset = (oh * 60 + om) * 60000
    if (z === 45) offset = -offset
  }
  else {
    return Number.NaN
  }
  if (offset === 0) {
    lastIso = len === 24 && t === 84 && z === 90
      ? s
      : String.fromCharCode(c0, c1, c2, c3, 45, c5, c6, 45, c8, c9, 84, c11, c12, 58, c14, c15, 58, c17, c18, 46, f0, f1, f2, 90)
  }
  return daysFromCivil(year, mo, da) * 86400000 + ((hh * 60 + mi) * 60 + ss) * 1000 + ms - offset
}

/** ISO 8601 with `Z` or `+00:00`, with or without fraction (microseconds allowed) → epoch ms, or `null`. */
export function parseTimestamp(value: string): number | null {
  if (typeof value !== 'string') return null
  const fast = parseFixed(value)
  if (fast === fast) return fast === Number.POSITIVE_INFINITY ? null : fast
  const slow = Date.parse(value)
  return Number.isNaN(slow) ? null : slow
}

/** The normalised ISO string (`YYYY-MM-DDTHH:MM:SS.mmmZ`) of a timestamp, or `null` when unparseable. */
export function normaliseTimestamp(value: string): string | null {
  const ms = parseTimestamp(value)
  if (ms === null) return null
  return lastIso ?? new Date(ms).toISOString()
}
