/**
 * HS256 JSON Web Tokens shaped like Django REST framework simplejwt's, signed with `node:crypto`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** The claims the test server puts in every token. */
export interface JwtPayload {
  token_type: 'access' | 'refresh'
  /** Expiry, epoch seconds. */
  exp: number
  /** Issued at, epoch seconds (absent with the backend's `omitIat`). */
  iat?: number
  /** Unique token id (used by the refresh blacklist). */
  jti: string
  /** The user id claim (`user_id` by default) holds the id as a string. */
  [claim: string]: unknown
}

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url')
}

function hmac(data: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(data).digest()
}

/** Sign `payload` with HS256. Header is `{"alg":"HS256","typ":"JWT"}` as simplejwt writes it. */
export function signJwt(payload: JwtPayload, secret: string): string {
  const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const body = base64url(JSON.stringify(payload))
  return `${head}.${body}.${base64url(hmac(`${head}.${body}`, secret))}`
}

/**
 * Verify signature, algorithm and expiry. Returns the payload, or `null` for anything malformed,
 * tampered or expired.
 * @param nowMs clock in epoch ms. @default Date.now()
 */
export function verifyJwt(token: string, secret: string, nowMs: number = Date.now()): JwtPayload | null {
  if (typeof token !== 'string')
    return null
  const parts = token.split('.')
  if (parts.length !== 3)
    return null
  const [head, body, sig] = parts as [string, string, string]
  try {
    const header: unknown = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'))
    if (!isRecord(header) || header.alg !== 'HS256')
      return null
    const expected = hmac(`${head}.${body}`, secret)
    const given = Buffer.from(sig, 'base64url')
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return null
    const payload: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
    if (!isRecord(payload) || typeof payload.exp !== 'number' || typeof payload.jti !== 'string')
      return null
    if (payload.token_type !== 'access' && payload.token_type !== 'refresh')
      return null
    if (payload.exp * 1000 <= nowMs)
      return null
    return payload as JwtPayload
  }
  catch {
    return null
  }
}

/** A random token id, 32 hex characters like simplejwt's `uuid4().hex`. */
export function createJti(): string {
  return randomBytes(16).toString('hex')
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
