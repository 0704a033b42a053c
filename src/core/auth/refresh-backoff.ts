/**
 * The hold on automatic refreshes: after a transient failure, or a token that arrived already due,
 * they wait a jittered delay that doubles per attempt; a hold after a server that never answered
 * may be cut short when the network comes back.
 */
import type { ChatError } from '../errors'
import { isRefreshDue } from './token-timing'
import type { Session } from './session'

const MAX_RETRY_DELAY_MS = 60_000
/** Scheduled refreshes never follow each other closer than this, whatever a token claims. */
export const MIN_REFRESH_SPACING_MS = 1000

export interface RefreshBackoff {
  /** No automatic refresh for the next backoff delay; `error`: the transient failure, if that is why. */
  hold(error: ChatError | null): void
  release(): void
  holding(): boolean
  /** Epoch ms at which the hold ends (`-Infinity`: none). */
  until(): number
  /** The failure behind the hold; `null` for a token due on arrival (or no hold). */
  error(): ChatError | null
  /** Failed attempts in a row. */
  attempt(): number
  /**
   * The hold is for a server that never answered: the network may be back, and a try costs that
   * server nothing. At most one per spacing; a server that answered (5xx, a cut-off response)
   * keeps the whole backoff.
   */
  mayRetryEarly(): boolean
  /** End the hold now: one attempt, and a failure holds again with the next step. */
  cut(): void
  /** A token already due when the server hands it out (clocks apart, tiny lifetime) must not be refreshed at once again. */
  noteArrival(next: Session): void
}

/** Jittered exponential delay: uniform in [ceiling/2, ceiling), the ceiling doubling from 1 s up to a minute. */
function retryDelay(attempt: number): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** Math.min(attempt - 1, 16))
  return ceiling / 2 + Math.random() * ceiling / 2
}

export function createRefreshBackoff(now: () => number): RefreshBackoff {
  let attempt = 0
  let until = Number.NEGATIVE_INFINITY
  let error: ChatError | null = null
  /** When the failure behind the hold happened. */
  let heldAt = Number.NEGATIVE_INFINITY

  function hold(cause: ChatError | null): void {
    attempt++
    heldAt = now()
    until = heldAt + retryDelay(attempt)
    error = cause
  }

  function release(): void {
    attempt = 0
    until = Number.NEGATIVE_INFINITY
    error = null
  }

  return {
    hold,
    release,
    holding: () => now() < until,
    until: () => until,
    error: () => error,
    attempt: () => attempt,
    mayRetryEarly: () => error?.code === 'network' && error.status === undefined && now() - heldAt >= MIN_REFRESH_SPACING_MS,
    cut() {
      until = now()
    },
    noteArrival(next) {
      if (isRefreshDue(next.timing, now())) hold(null)
      else release()
    },
  }
}
