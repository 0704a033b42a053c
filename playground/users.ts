import { DEFAULT_USERS } from '../src/testing/users'
import type { TestUser } from '../src/testing/types'

/**
 * The embedded backend's accounts: the test server's seeded users plus a second student, so that
 * every user has several contacts (the inbox sorts them by last activity).
 */
export const PLAYGROUND_USERS: readonly TestUser[] = Object.freeze([
  ...DEFAULT_USERS,
  Object.freeze({ id: 4, email: 'student2@example.com', password: 'student234', role: 'student', first_name: 'Casey', last_name: 'Student' } satisfies TestUser),
])
