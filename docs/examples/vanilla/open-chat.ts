import { createChatClient } from 'vue-realtime-chat/core'
import type { ChatError, ConversationSnapshot, SendResult, WebSocketConstructor } from 'vue-realtime-chat/core'

export interface OpenChatOptions {
  baseUrl: string
  email: string
  password: string
  peerId: number
  onChange: (snapshot: ConversationSnapshot, error?: ChatError) => void
  /** Only needed in Node: the `ws` package's constructor. */
  WebSocket?: WebSocketConstructor
}

export async function openChat({ baseUrl, email, password, peerId, onChange, WebSocket }: OpenChatOptions) {
  const client = createChatClient({ baseUrl, WebSocket })
  await client.auth.login(email, password)
  const chat = client.conversation(peerId) // ref-counted: released in close()
  const off = chat.subscribe(() => onChange(chat.getSnapshot()))
  chat.on('error', error => onChange(chat.getSnapshot(), error))
  return {
    /** `{ ok: false, error }` for input the user can fix (empty, too long, a full outbox); never throws. */
    send: (text: string): SendResult => chat.send(text),
    retry: (id: string) => chat.retry(id),
    discard: (id: string) => chat.discard(id),
    markRead: () => chat.markRead(),
    close() {
      off()
      chat.release()
      client.destroy()
    },
  }
}
