import { useRuntimeConfig } from '#imports'
import { PLAYGROUND_USERS } from '../../users'

/** A person the signed-in user can chat with. */
export interface Contact {
  id: string
  name: string
  role: string
}

/** The embedded backend's seeded accounts, passwords included: they are shown on the login page on purpose. */
export const seededUsers = PLAYGROUND_USERS

/** The app talks to its own embedded backend (no `NUXT_PUBLIC_CHAT_BASE_URL`). */
export function isEmbeddedBackend(): boolean {
  return !useRuntimeConfig().public.chat.baseUrl
}

/** Contacts of `userId`: the other seeded users (the protocol has no contact list endpoint). */
export function contactsOf(userId: string | null): Contact[] {
  return seededUsers
    .filter(u => String(u.id) !== userId)
    .map(u => ({ id: String(u.id), name: `${u.first_name} ${u.last_name}`, role: u.role }))
}
