import { createChatClient, createMemoryStorage, createWebStorage } from 'vue-realtime-chat/core'

// Default: both in localStorage. One session for every tab; nothing lost on reload.
export const shared = createChatClient({ baseUrl: 'https://school.example' })

// Tokens in memory only: an XSS cannot read them from storage, but every reload signs out.
// Queued messages still survive in localStorage and go out after the next login.
export const strict = createChatClient({
  baseUrl: 'https://school.example',
  tokenStorage: createMemoryStorage(),
})

// One session per tab that survives reloads of that tab.
export const perTab = createChatClient({
  baseUrl: 'https://school.example',
  tokenStorage: createWebStorage('session'),
})
