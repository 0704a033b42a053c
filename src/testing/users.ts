import type { TestUser } from './types'

/**
 * The seeded accounts: a student and two parents.
 *
 * | id | email | password | role |
 * |---|---|---|---|
 * | 1 | `student@example.com` | `student123` | student |
 * | 2 | `parent@example.com` | `parent123` | parent |
 * | 3 | `parent2@example.com` | `parent234` | parent |
 */
export const DEFAULT_USERS: readonly TestUser[] = Object.freeze([
  Object.freeze({ id: 1, email: 'student@example.com', password: 'student123', role: 'student', first_name: 'Sam', last_name: 'Student' }),
  Object.freeze({ id: 2, email: 'parent@example.com', password: 'parent123', role: 'parent', first_name: 'Pat', last_name: 'Parent' }),
  Object.freeze({ id: 3, email: 'parent2@example.com', password: 'parent234', role: 'parent', first_name: 'Alex', last_name: 'Parent' }),
] satisfies TestUser[])
