/**
 * Send states of own messages and the one function that changes them. Each reason leads to one
 * status from the statuses listed for it; anything else is a defect of the reconciliation.
 */
import type { ChatMessage, MessageStatus } from '../types'

/** Why an own message changes status. */
export type StatusReason =
  /** `queued` → `pending`: handed to the caller to write to the socket. */
  | 'written'
  /** `pending` → `queued`: the caller did not write it after all (`hold()`). */
  | 'not-written'
  /** `pending` → `unknown`: the socket closed before the echo. */
  | 'socket-closed'
  /** `pending` → `unknown`: restored after a reload; the socket it was written to is gone. */
  | 'restored'
  /** `pending` / `unknown` → `sent`: the server echoed it. */
  | 'echo'
  /** `queued` / `unknown` → `sent`: a replay holds it after the occurrences it knew of. */
  | 'replayed'
  /** `queued` / `unknown` → `sent`: restored, and this timeline already shows its stored copy. */
  | 'shown'
  /** `unknown` → `queued`: a replay proved it not stored: to be resent. */
  | 'lost'
  /** `failed` / `unknown` → `queued`: the user retries. */
  | 'retry'
  /** `queued` / `pending` / `unknown` → `failed`: rejected or given up (`fail()`). */
  | 'failed'
  /** `queued` / `pending` / `unknown` → `failed`: restored with a text no server stores. */
  | 'unstorable'

/** The allowed transitions: for each reason, the status it leads to and the statuses it may leave. */
export const TRANSITIONS: { readonly [R in StatusReason]: { readonly to: MessageStatus; readonly from: readonly MessageStatus[] } } = {
  'written': { to: 'pending', from: ['queued'] },
  'not-written': { to: 'queued', from: ['pending'] },
  'socket-closed': { to: 'unknown', from: ['pending'] },
  'restored': { to: 'unknown', from: ['pending'] },
  'echo': { to: 'sent', from: ['pending', 'unknown'] },
  'replayed': { to: 'sent', from: ['queued', 'unknown'] },
  'shown': { to: 'sent', from: ['queued', 'unknown'] },
  'lost': { to: 'queued', from: ['unknown'] },
  'retry': { to: 'queued', from: ['failed', 'unknown'] },
  'failed': { to: 'failed', from: ['queued', 'pending', 'unknown'] },
  'unstorable': { to: 'failed', from: ['queued', 'pending', 'unknown'] },
}

/** Called with an own message's id, its status before and after, and why it changed. */
export type StatusListener = (messageId: string, from: MessageStatus, to: MessageStatus, reason: StatusReason) => void

/** Observers of status changes (see `TimelineOptions`). */
export interface StatusHooks {
  onStatusChange?: StatusListener
  onInvalidTransition?: StatusListener
}

/** An own message that is not `sent` yet, with its cached view. */
interface Stateful {
  readonly id: string
  status: MessageStatus
  msg: ChatMessage | null
}

/** The table allows `reason` for a message in `status`. */
export const allows = (status: MessageStatus, reason: StatusReason): boolean => TRANSITIONS[reason].from.includes(status)

/**
 * Move `e` to the status `reason` leads to. A transition the table does not allow is reported and
 * still made: the reconciliation decided it, and refusing could strand the message where nothing
 * resolves it. The same status again is no change.
 */
export function transition(e: Stateful, reason: StatusReason, hooks: StatusHooks): void {
  const from = e.status
  const to = TRANSITIONS[reason].to
  if (from === to) return
  if (!allows(from, reason)) hooks.onInvalidTransition?.(e.id, from, to, reason)
  e.status = to
  e.msg = null
  hooks.onStatusChange?.(e.id, from, to, reason)
}
