import { useChatAuth } from 'vue-realtime-chat'
import { useRouter } from 'vue-router'

// In a layout's setup(): the refresh token was rejected, so nothing can be sent until the
// user signs in again. Queued messages stay stored and go out after that login.
export function useSessionEnd() {
  const router = useRouter()
  useChatAuth().onUnauthorized(() => router.push('/login?expired=1'))
}
