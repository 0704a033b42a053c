import type { ChatErrorCode, ConnectionStatus, MessageStatus, UserId } from '../../core/index'
import type { ChatErrorInfo } from '../store'
import type { DevtoolsTimelineEvent } from './api'

/** What the chat's devtools timeline shows, as the conversations report it. */
export type ChatDevtoolsEvent =
  | { readonly kind: 'status'; readonly peerId: UserId; readonly status: ConnectionStatus; readonly attempt: number; readonly error: ChatErrorInfo | null }
  /** A history replay ended: how long it took and how many messages the timeline holds after it. */
  | { readonly kind: 'replay'; readonly peerId: UserId; readonly durationMs: number; readonly messages: number; readonly added: number }
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
    case 'replay':
      return { time, title: `replay ${event.durationMs} ms`, subtitle, data: event }
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
