import { createChatClient } from 'vue-realtime-chat/core'

declare function render(snapshot: ReturnType<typeof chat.getSnapshot>): void

const client = createChatClient({ baseUrl: 'https://school.example' })
await client.auth.login('student@example.com', 'student123')

const chat = client.conversation(123) // ref-counted: chat.release() when done
chat.subscribe(() => render(chat.getSnapshot())) // batched, useSyncExternalStore-ready
chat.send('Hello!')
