import { useEffect, useState, useSyncExternalStore } from 'react'
import type { ChatClient, Conversation } from 'vue-realtime-chat/core'

const none = () => () => {}

export function useConversation(client: ChatClient, peerId: number) {
  const [chat, setChat] = useState<Conversation | null>(null)
  useEffect(() => {
    const c = client.conversation(peerId) // acquire
    setChat(c)
    return () => c.release() // release on unmount or peer change
  }, [client, peerId])
  // getSnapshot() returns the same frozen object until something changes, as React requires.
  const snapshot = useSyncExternalStore(chat?.subscribe ?? none, () => chat?.getSnapshot() ?? null)
  return { snapshot, send: (text: string) => chat?.send(text) }
}
