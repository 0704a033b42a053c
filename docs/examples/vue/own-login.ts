import { useChatAuth } from 'vue-realtime-chat'
import type { ChatUser } from 'vue-realtime-chat'

// Inside setup(): your app signed the user in with its own form and got the tokens back.
export function useHandOver() {
  const auth = useChatAuth()
  return (access: string, refresh: string, user?: ChatUser) => auth.setTokens({ access, refresh }, user)
}
