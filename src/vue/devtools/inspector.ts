import type { ConnectionStatus, MessageStatus } from '../../core/index'
import type { ChatConversationState } from '../store'
import type { InspectorStatePayload, InspectorTreePayload } from './api'

type InspectorNode = InspectorTreePayload['rootNodes'][number]
type InspectorState = InspectorStatePayload['state']

/** Most messages the inspector lists per conversation (the newest); the counts cover all. */
export const INSPECTED_MESSAGES = 200

const MESSAGE_STATUSES: readonly MessageStatus[] = ['queued', 'pending', 'unknown', 'sent', 'failed']

const STATUS_COLOURS: Partial<Record<ConnectionStatus, number>> = {
  live: 0x42b883,
  syncing: 0x3b82f6,
  connecting: 0x3b82f6,
  reconnecting: 0xf59e0b,
  offline: 0xf59e0b,
  unauthorized: 0xef4444,
}

/** A conversation in the inspector's tree: the peer, tagged with its status and reconnect attempt. */
export function inspectorNode(state: ChatConversationState): InspectorNode {
  const tags: NonNullable<InspectorNode['tags']> = [{ label: state.status, textColor: 0xffffff, backgroundColor: STATUS_COLOURS[state.status] ?? 0x6b7280 }]
  if (state.attempt) tags.push({ label: `attempt ${state.attempt}`, textColor: 0x000000, backgroundColor: 0xfde68a })
  return { id: state.peerId, label: `peer ${state.peerId}`, tags }
}

/** A conversation's details: connection, message counts by state, and its newest messages with their states. */
export function inspectorState(state: ChatConversationState): InspectorState {
  const counts = Object.fromEntries(MESSAGE_STATUSES.map(status => [status, 0])) as Record<MessageStatus, number>
  for (const message of state.messages) counts[message.status]++
  const shown = state.messages.slice(-INSPECTED_MESSAGES)
  return {
    'conversation': [
      { key: 'status', value: state.status },
      { key: 'attempt', value: state.attempt },
      { key: 'lastError', value: state.error },
      { key: 'unreadCount', value: state.unreadCount },
      { key: 'hasPending', value: state.hasPending },
      { key: 'peerTyping', value: state.peerTyping },
    ],
    'messages by state': MESSAGE_STATUSES.map(status => ({ key: status, value: counts[status] })),
    [`messages (newest ${shown.length} of ${state.messages.length})`]: shown.map(message => ({
      key: message.id,
      value: {
        status: message.status,
        mine: message.isMine,
        content: message.content,
        createdAt: message.createdAt,
        serverTime: message.serverTime,
        isRead: message.isRead,
        ...(message.error ? { error: message.error } : {}),
      },
    })),
  }
}
