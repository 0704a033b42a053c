/**
 * Reconnect delays: full-jitter exponential backoff (the delay is uniform in `[0, ceiling)` where the
 * ceiling doubles per attempt up to a cap), so a fleet of clients never retries in lockstep.
 */

/** First retry ceiling in ms. */
export const DEFAULT_BASE_DELAY_MS = 500
/** Largest ceiling in ms. */
export const DEFAULT_MAX_DELAY_MS = 30_000

export interface BackoffOptions {
  /** Ceiling of the first delay (attempt 0). @default 500 */
  baseDelayMs?: number
  /** Ceiling of any delay. @default 30000 */
  maxDelayMs?: number
}

/** The delay ceiling for `attempt` (0-based): `min(maxDelayMs, baseDelayMs * 2^attempt)`. */
export function backoffCeiling(attempt: number, options: BackoffOptions = {}): number {
  const base = Math.max(0, options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS)
  const max = Math.max(0, options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS)
  const n = Number.isFinite(attempt) && attempt > 0 ? Math.floor(attempt) : 0
  // 2^n overflows to Infinity past ~1023, and min() still yields the cap.
  return Math.min(max, base * 2 ** n)
}

/**
 * Full-jitter delay in ms for reconnect attempt `attempt` (0-based): `random() * ceiling`.
 * Pure: inject `random` for deterministic tests.
 *
 * @example computeBackoff(3) // uniform in [0, 4000)
 */
export function computeBackoff(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const r = random()
  const clamped = r > 0 ? (r < 1 ? r : 1) : 0
  return clamped * backoffCeiling(attempt, options)
}
