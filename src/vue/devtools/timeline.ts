import type { ChatErrorCode, ConnectionPhase, ConnectionStatus, MessageStatus, ReplaySummary, TransitionReason, UserId } from '../../core/index'
import type { ChatErrorInfo } from '../store'
import type { DevtoolsTimelineEvent } from './api'

/** What the chat's devtools timeline shows, as the conversations report it. */
export type ChatDevtoolsEvent =
  | { readonly kind: 'status'; readonly peerId: UserId; readonly status: ConnectionStatus; readonly attempt: number; readonly error: ChatErrorInfo | null }
  /** The connection changed phase (finer than the status: backoff, diagnosing, gave up), with its reason. */
  | { readonly kind: 'transition'; readonly peerId: UserId; readonly from: ConnectionPhase; readonly to: ConnectionPhase; readonly reason: TransitionReason }
  /** A history replay ended: frames, time, and what it changed (inserted, confirmed, requeued, removed). */
  | ({ readonly kind: 'replay'; readonly peerId: UserId; readonly messages: number } & ReplaySummary)
  /** An own message changed state; `from: null` is a new send, `to: null` a discarded one. */
  | { readonly kind: 'send'; readonly peerId: UserId; readonly messageId: string; readonly from: MessageStatus | null; readonly to: MessageStatus | null; readonly error?: ChatErrorCode }

type LogType = DevtoolsTimelineEvent['logType']

const statusLog = (status: ConnectionStatus, error: ChatErrorInfo | null): LogType =>
  status === 'unauthorized' ? 'error' : error || status === 'reconnecting' || status === 'offline' ? 'warning' : 'default'

/** The one place a chat event becomes a devtools timeline entry. */
export function toTimelineEvent(event: ChatDevtoolsEvent, time: number): DevtoolsTimelineEvent {
  const subtitle = `peer ${event.peerId}`
  switch (event.kind) {
    case 'status':
      return { time, title: event.status, subtitle, logType: statusLog(event.status, event.error), data: event }
    case 'transition':
      return { time, title: `${event.from} → ${event.to}`, subtitle: `${subtitle} · ${event.reason}`, data: event }
    case 'replay':
      return { time, title: `replay ${event.frames} frames, ${event.durationMs} ms`, subtitle, logType: event.requeued || event.removed ? 'warning' : 'default', data: event }
    case 'send':
      return {
        time,
        title: `${event.from ?? 'new'} → ${event.to ?? 'removed'}`,
        subtitle,
        // One group per message: devtools draws its life from send to sent as one bar.
        groupId: `${event.peerId}:${event.messageId}`,
        logType: event.to === 'failed' ? 'error' : event.to === 'unknown' ? 'warning' : 'default',
        data: event,
      }
  }
}
