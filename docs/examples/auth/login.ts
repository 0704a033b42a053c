import { createChatClient, createWebStorage, isChatError } from 'vue-realtime-chat/core'

declare function showWrongPassword(): void
declare function showFieldErrors(errors: unknown): void
declare function goToLogin(): void

const client = createChatClient({
  baseUrl: 'https://school.example',
  tokenStorage: createWebStorage('session'), // tokens per tab; the outbox stays in localStorage (the default)
})

try {
  const user = await client.auth.login('student@example.com', 'student123')
  console.log(user.id) // '1': user ids are always strings
}
catch (error) {
  if (isChatError(error) && error.code === 'invalid_credentials') showWrongPassword()
  else if (isChatError(error) && error.code === 'validation') showFieldErrors(error.details) // { email: ['This field is required.'] }
}

client.auth.on('unauthorized', () => goToLogin()) // the refresh token was rejected: sign in again
client.auth.subscribe(() => console.log(client.auth.getState().status)) // never holds a token
