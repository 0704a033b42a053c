/**
 * When automatic refreshes run: once the token's refresh is due, never sooner than the spacing
 * after the last answer, and not during a backoff hold (after a transient failure, or a token that
 * arrived already due). The network or the user coming back cuts a hold after a network failure short.
 */
import type { ChatError } from '../errors'
import type { EnvironmentSignals } from '../types'
import type { AuthEnv } from './env'
import type { AuthMachine } from './phase'
import type { Session } from './session'
import { isRefreshDue, refreshDueAt } from './token-timing'

const MAX_RETRY_DELAY_MS = 60_000
const MAX_TIMER_MS = 2_147_483_647
/** Scheduled refreshes never follow each other closer than this, whatever a token claims. */
const MIN_REFRESH_SPACING_MS = 1000

/** The automatic refresh's timer and backoff. */
export interface RefreshSchedule {
  /** (Re)arm the timer for the current session. */
  schedule(): void
  cancel(): void
  /** Stop the timer and the signals for good. */
  stop(): void
  /** A refresh answer arrived: the next automatic one waits at least the spacing. */
  answered(): void
  /** A refresh failed transiently: hold automatic refreshes for the next backoff step. */
  retryLater(error: ChatError): void
  /** No hold: a new session starts with a clean backoff. */
  release(): void
  /** A token already due when the server hands it out (clocks apart, tiny lifetime) must not be refreshed at once again. */
  noteArrival(next: Session): void
  /** `undefined`: no hold; `null`: held for a token that arrived due; else the failure behind the hold. */
  held(): ChatError | null | undefined
  /**
   * The hold is for a server that never answered: the network may be back, and a try costs that
   * server nothing. At most one per spacing; a server that answered (5xx, a cut-off response)
   * keeps the whole backoff.
   */
  mayRetryEarly(): boolean
}

/** Jittered exponential delay: uniform in [ceiling/2, ceiling), the ceiling doubling from 1 s up to a minute. */
function retryDelay(attempt: number): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** Math.min(attempt - 1, 16))
  return ceiling / 2 + Math.random() * ceiling / 2
}

/** `signals`: online/visibility (none when passive). `onDue` runs the refresh, which classifies its failures. */
export function createRefreshSchedule(env: AuthEnv, machine: AuthMachine, signals: EnvironmentSignals | undefined, onDue: () => void): RefreshSchedule {
  const { scheduler, now } = env
  let timer: unknown
  let lastAnswerAt = -Infinity
  let attempt = 0
  let holdUntil = -Infinity
  let holdError: ChatError | null = null
  /** When the failure behind the hold happened. */
  let heldAt = -Infinity
  /** Online and visible, as last seen: only a change to it (the network or the user back) counts. */
  let present = false
  let unsubscribe: () => void = () => {}

  const holding = (): boolean => now() < holdUntil
  const mayRetryEarly = (): boolean => holdError?.code === 'network' && holdError.status === undefined && now() - heldAt >= MIN_REFRESH_SPACING_MS

  function cancel(): void {
    if (timer !== undefined) scheduler.clearTimeout(timer)
    timer = undefined
  }

  function schedule(): void {
    cancel()
    const session = machine.session()
    if (machine.destroyed() || env.passive || !session || session.refresh === undefined) return
    const due = refreshDueAt(session.timing)
    if (due === null) return
    const delay = Math.max(0, due - now(), lastAnswerAt + MIN_REFRESH_SPACING_MS - now(), holdUntil - now())
    timer = scheduler.setTimeout(onTimer, Math.min(delay, MAX_TIMER_MS))
  }

  function onTimer(): void {
    timer = undefined
    const session = machine.session()
    if (machine.destroyed() || !session) return
    if (holding() || !isRefreshDue(session.timing, now())) schedule()
    else onDue()
  }

  function hold(error: ChatError | null): void {
    attempt++
    heldAt = now()
    holdUntil = heldAt + retryDelay(attempt)
    holdError = error
  }

  function release(): void {
    attempt = 0
    holdUntil = -Infinity
    holdError = null
  }

  if (signals) {
    const isPresent = (): boolean => signals.isOnline() && signals.isVisible()
    try {
      present = isPresent()
      unsubscribe = signals.subscribe(() => {
        const wasPresent = present
        present = isPresent()
        if (!present || wasPresent || machine.destroyed() || !machine.session() || !holding() || !mayRetryEarly()) return
        // One attempt now; a failure holds again, with the next backoff step.
        holdUntil = now()
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
    release,
    mayRetryEarly,
    stop() {
      cancel()
      try {
        unsubscribe()
      }
      catch {
        // Nothing more to stop.
      }
    },
    answered() {
      lastAnswerAt = now()
    },
    retryLater(error) {
      hold(error)
      env.log('debug', 'refresh retry', { attempt })
      schedule()
    },
    noteArrival(next) {
      if (isRefreshDue(next.timing, now())) hold(null)
      else release()
    },
    held: () => holding() ? holdError : undefined,
  }
}
