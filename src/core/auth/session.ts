/**
 * A session in memory: the token pair, whose it is, and when its access token expires, built from
 * tokens the server issued (measuring the clock offset on the way), stored, or handed over by the app.
 */
import type { ChatUser, TokenPair, UserId } from '../types'
import { asRecord } from './http'
import { normaliseId, readClaims, userIdFrom } from './jwt'
import type { JwtClaims } from './jwt'
import { clockOffset, tokenTiming } from './token-timing'
import type { TokenTiming } from './token-timing'

/** One signed-in session in memory (the stored form is `StoredAuth`). */
export interface Session {
  readonly access: string
  readonly refresh: string | undefined
  readonly user: ChatUser | null
  readonly userId: UserId | null
  readonly timing: TokenTiming
  /** Local epoch ms at which the access token arrived (measures the lifetime of a token without `iat`). */
  readonly receivedAt: number | undefined
}

/** Normalise the server's user object (`id` becomes a string); `null` when it is not a user. */
export function normaliseUser(value: unknown, fallbackId: UserId | null = null): ChatUser | null {
  const record = asRecord(value)
  if (!record) return null
  const id = normaliseId(record.id) ?? fallbackId
  if (id === null) return null
  return Object.freeze({ ...record, id }) as ChatUser
}

/** Builds sessions with the configured user id claim, refresh threshold and clock skew. */
export interface SessionFactory {
  /**
   * A session for `tokens`. `offset` (local minus server clock): `'fresh'` for tokens the server has
   * just issued (measures it), a stored one, or none for the last one measured. A profile of another
   * user than the token's is dropped: it must never be shown or stored with it.
   * @throws ChatError `validation` when the access token is not a readable JWT
   */
  make(tokens: TokenPair, user: ChatUser | null, offset?: number | 'fresh', receivedAt?: number): Session
  /** The timing of a token that is not (or no longer) the session's, with the last measured clock offset. */
  timing(claims: JwtClaims): TokenTiming
  /** The user id an access token names. @throws ChatError `validation` when it is not a readable JWT */
  userIdOf(access: string): UserId | null
}

/** `now`: the local clock, for the clock offset and the arrival time of fresh tokens. */
export function createSessionFactory(userIdClaim: string, thresholdMs: number, clockSkewMs: number, now: () => number): SessionFactory {
  let knownOffset = 0
  return {
    make(tokens, user, offset = knownOffset, receivedAt = offset === 'fresh' ? now() : undefined) {
      const claims = readClaims(tokens.access)
      const tokenUserId = userIdFrom(claims, userIdClaim)
      const profile = user && tokenUserId !== null && user.id !== tokenUserId ? null : user
      const offsetMs = offset === 'fresh' ? (knownOffset = clockOffset(claims, now())) : offset
      return {
        access: tokens.access,
        refresh: typeof tokens.refresh === 'string' && tokens.refresh.length > 0 ? tokens.refresh : undefined,
        user: profile,
        userId: tokenUserId ?? profile?.id ?? null,
        timing: tokenTiming(claims, thresholdMs, clockSkewMs, offsetMs, receivedAt),
        receivedAt,
      }
    },
    timing: claims => tokenTiming(claims, thresholdMs, clockSkewMs, knownOffset),
    userIdOf: access => userIdFrom(readClaims(access), userIdClaim),
  }
}
