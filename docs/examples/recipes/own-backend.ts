import { createChatClient } from 'vue-realtime-chat/core'

// REST and sockets on different origins, e.g. Django REST framework behind one host and
// daphne behind another.
export const client = createChatClient({
  apiUrl: 'https://api.school.example', // {apiUrl}/api/auth/login/, /token/refresh/, /me/
  wsUrl: 'wss://ws.school.example', // {wsUrl}/ws/chat/{peerId}/?token=…
  userIdClaim: 'user_id', // SIMPLE_JWT['USER_ID_CLAIM'] if you changed it
})
