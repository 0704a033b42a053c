/**
 * When an access token counts as expired and when to refresh it: expiry moved onto the local clock,
 * a skew margin, a refresh lead, both capped by the token's lifetime (measured on arrival for a
 * token without `iat`).
 */
import type { JwtClaims } from './jwt'

/** A numeric-date claim (`exp`, `iat`) as epoch ms, or `null` when absent or not a finite number. */
function claimMs(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value * 1000 : null
}

/** Timing facts about one access token, derived once when the token is adopted. */
export interface TokenTiming {
  /** Epoch ms (local clock) at which the token expires, or `null` (no `exp`: never expires locally). */
  readonly expiresAt: number | null
  /** Safety margin before `expiresAt` after which the token counts as expired. */
  readonly marginMs: number
  /** How long before `expiresAt` a refresh becomes due. */
  readonly leadMs: number
  /** Local clock minus server clock, as applied to `exp`. */
  readonly offsetMs: number
}

/**
 * Derive when a token counts as expired and when to refresh it.
 * Both windows are capped by the token's lifetime (`exp - iat`): the margin to a quarter and the
 * refresh lead to half of it, so a 2-second token with the default 5-minute threshold is refreshed
 * 1 s before expiry instead of immediately and forever. A token without `iat` has its lifetime
 * measured from `receivedAt` (local epoch ms at which the server handed it out), when known.
 *
 * `offsetMs` (local minus server clock) moves `exp` onto the local clock. For a token just received
 * from the server use {@link clockOffset}; it makes expiry immune to a wrong client clock.
 * @default offsetMs 0
 */
export function tokenTiming(claims: JwtClaims, thresholdMs: number, clockSkewMs: number, offsetMs = 0, receivedAt?: number): TokenTiming {
  const exp = claimMs(claims.exp)
  const issued = claimMs(claims.iat) ?? (receivedAt === undefined || !Number.isFinite(receivedAt) ? null : receivedAt - offsetMs)
  const lifetime = exp !== null && issued !== null && exp > issued ? exp - issued : Infinity
  const marginMs = Math.max(0, Math.min(clockSkewMs, lifetime / 4))
  const leadMs = Math.max(marginMs, Math.min(thresholdMs, lifetime / 2))
  return { expiresAt: exp === null ? null : exp + offsetMs, marginMs, leadMs, offsetMs }
}

/**
 * Local clock minus server clock, estimated from a token the server has just issued (`iat`).
 * Errs on the early side (network latency and `iat`'s whole seconds), which only makes refreshes
 * slightly earlier. `0` when the token has no `iat`.
 */
export function clockOffset(claims: JwtClaims, receivedAt: number): number {
  const iat = claimMs(claims.iat)
  return iat === null ? 0 : receivedAt - iat
}

/** The token is expired (or within the clock-skew margin of it) at `now`. */
export function isExpired(timing: TokenTiming, now: number): boolean {
  return timing.expiresAt !== null && now >= timing.expiresAt - timing.marginMs
}

/** A refresh is due at `now` (expired, or within the refresh threshold). */
export function isRefreshDue(timing: TokenTiming, now: number): boolean {
  return timing.expiresAt !== null && now >= timing.expiresAt - timing.leadMs
}

/** Epoch ms at which a refresh becomes due, or `null` for a token that never expires. */
export function refreshDueAt(timing: TokenTiming): number | null {
  return timing.expiresAt === null ? null : timing.expiresAt - timing.leadMs
}
