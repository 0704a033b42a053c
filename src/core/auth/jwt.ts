/**
 * Read-only JWT helpers. The client decodes token payloads (jwt-decode) but never verifies
 * signatures: the server is the only judge of a token, the client only needs expiry and the user id.
 */
import { jwtDecode } from 'jwt-decode'
import { ChatError } from '../errors'
import { asRecord } from './http'
import { normaliseUserId } from '../transport/protocol'
import type { UserId } from '../types'

/** Decoded JWT payload: registered claims plus whatever the server adds (`user_id`, `token_type`, ...). */
export interface JwtClaims {
  readonly exp?: number
  readonly iat?: number
  readonly jti?: string
  readonly token_type?: string
  readonly [claim: string]: unknown
}

/**
 * Decode a JWT payload without verifying it.
 * @throws ChatError `validation` when the token is not a decodable JWT (the message never contains the token)
 */
export function readClaims(token: string): JwtClaims {
  let payload: unknown = null
  try {
    payload = jwtDecode<unknown>(token)
  }
  catch {
    // jwt-decode's InvalidTokenError quotes parts of the payload; ours names no part of the token.
  }
  if (!asRecord(payload)) throw new ChatError('validation', 'Not a readable JWT')
  return payload as JwtClaims
}

/** Like {@link readClaims} but returns `null` instead of throwing. */
export function tryReadClaims(token: string): JwtClaims | null {
  try {
    return readClaims(token)
  }
  catch {
    return null
  }
}

/**
 * Normalise any user id (`1`, `"1"`, `" 1 "`) to the library's string form; `null` when unusable.
 * Non-numeric string ids (UUIDs) are kept as they are.
 */
export function normaliseId(value: unknown): UserId | null {
  return normaliseUserId(value) ?? (typeof value === 'string' && value.trim() || null)
}

/**
 * The user id held in `claim` (servers name it `user_id` by default), normalised to a string.
 * @default claim 'user_id'
 */
export function userIdFrom(claims: JwtClaims, claim = 'user_id'): UserId | null {
  return normaliseId(claims[claim])
}
