/**
 * When the automatic refresh runs: a timer for the token's due time (never sooner than the spacing
 * after the last answer, nor inside a backoff hold), and the network or the user coming back, which
 * cuts a hold after a network failure short.
 */
import type { EnvironmentSignals, Scheduler } from '../types'
import type { AuthMachine } from './phase'
import { MIN_REFRESH_SPACING_MS } from './refresh-backoff'
import type { RefreshBackoff } from './refresh-backoff'
import { isRefreshDue, refreshDueAt } from './token-timing'

const MAX_TIMER_MS = 2_147_483_647

export interface RefreshTimer {
  /** (Re)arm the timer for the current session. */
  schedule(): void
  cancel(): void
  /** A refresh answer arrived: the next automatic one waits at least the spacing. */
  answered(): void
  /** Stop the timer and the signals for good. */
  stop(): void
}

/** `onDue`: run the refresh (it classifies failures and holds the backoff itself). `signals`: none when passive. */
export function createRefreshTimer(
  scheduler: Scheduler,
  machine: AuthMachine,
  backoff: RefreshBackoff,
  passive: boolean,
  signals: EnvironmentSignals | undefined,
  onDue: () => void,
): RefreshTimer {
  const now = (): number => scheduler.now()
  let timer: unknown
  let lastAnswerAt = Number.NEGATIVE_INFINITY
  /** Online and visible, as last seen: only a change to it (the network or the user back) counts. */
  let present = false
  let unsubscribe: () => void = () => {}

  function cancel(): void {
    if (timer !== undefined) scheduler.clearTimeout(timer)
    timer = undefined
  }

  function schedule(): void {
    cancel()
    const session = machine.session()
    if (machine.destroyed() || passive || !session || session.refresh === undefined) return
    const due = refreshDueAt(session.timing)
    if (due === null) return
    const delay = Math.max(0, due - now(), lastAnswerAt + MIN_REFRESH_SPACING_MS - now(), backoff.until() - now())
    timer = scheduler.setTimeout(onTimer, Math.min(delay, MAX_TIMER_MS))
  }

  function onTimer(): void {
    timer = undefined
    const session = machine.session()
    if (machine.destroyed() || !session) return
    if (backoff.holding() || !isRefreshDue(session.timing, now())) schedule()
    else onDue()
  }

  if (signals) {
    const isPresent = (): boolean => signals.isOnline() && signals.isVisible()
    try {
      present = isPresent()
      unsubscribe = signals.subscribe(() => {
        const wasPresent = present
        present = isPresent()
        if (!present || wasPresent || machine.destroyed() || !machine.session() || !backoff.holding() || !backoff.mayRetryEarly()) return
        backoff.cut()
        schedule()
      })
    }
    catch {
      // Without signals the backoff still ends on its own, or when a caller asks for a token.
    }
  }

  return {
    schedule,
    cancel,
    answered() {
      lastAnswerAt = now()
    },
    stop() {
      cancel()
      try {
        unsubscribe()
      }
      catch {
        // Nothing more to stop.
      }
    },
  }
}
