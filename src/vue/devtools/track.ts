import type { ChatMessage, Conversation, ConversationSnapshot } from '../../core/index'
import { toErrorInfo } from '../store'
import type { ChatDevtoolsEvent } from './timeline'

function ownMessages(snapshot: ConversationSnapshot): Map<string, ChatMessage> {
  const own = new Map<string, ChatMessage>()
  for (const message of snapshot.messages) {
    if (message.isMine) own.set(message.id, message)
  }
  return own
}

/**
 * Report one conversation's status changes, phase transitions, replays and own-message state
 * changes as devtools events, from its events and snapshots. Returns the unsubscribe.
 */
export function watchConversation(conversation: Conversation, emit: (event: ChatDevtoolsEvent) => void): () => void {
  const { peerId } = conversation
  let own = ownMessages(conversation.getSnapshot())

  const offStatus = conversation.on('status', (status) => {
    const snapshot = conversation.getSnapshot()
    emit({ kind: 'status', peerId, status, attempt: snapshot.attempt, error: snapshot.error ? toErrorInfo(snapshot.error) : null })
  })
  const offTransition = conversation.on('transition', ({ from, to, reason }) => emit({ kind: 'transition', peerId, from, to, reason }))
  const offReplay = conversation.on('replay', summary => emit({ kind: 'replay', peerId, messages: conversation.getSnapshot().messages.length, ...summary }))

  const offChange = conversation.subscribe(() => {
    const next = ownMessages(conversation.getSnapshot())
    for (const [messageId, message] of next) {
      const before = own.get(messageId)
      if (before === message) continue
      const from = before?.status ?? null
      const { status: to, error } = message
      if (from !== to) emit({ kind: 'send', peerId, messageId, from, to, ...(error ? { error } : {}) })
    }
    for (const [messageId, message] of own) {
      if (!next.has(messageId)) emit({ kind: 'send', peerId, messageId, from: message.status, to: null })
    }
    own = next
  })

  return () => {
    offStatus()
    offTransition()
    offReplay()
    offChange()
  }
}
