import { createChatClient } from 'vue-realtime-chat/core'
import type { ChatUser } from 'vue-realtime-chat/core'

declare const access: string
declare const refresh: string
declare const user: ChatUser

const client = createChatClient({ baseUrl: 'https://school.example' })
// Tokens your own login obtained; `user` and `refresh` are optional.
client.auth.setTokens({ access, refresh }, user)
