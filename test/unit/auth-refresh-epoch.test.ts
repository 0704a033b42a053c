import { expect, it } from 'vitest'
import type { FetchLike } from '../../src/core/types'
import { backendFetch, createAuthHarness } from './auth-harness'

it('a refresh still in flight from the previous session does not absorb the next session\'s own refresh', async () => {
  let hang: (() => void) | null = null
  const { scheduler, backend, auth } = createAuthHarness({
    fetch: (async (url, init) => {
      // The first refresh (user 1's) hangs on the network until the test lets it go.
      if (url.endsWith('/token/refresh/') && hang === null) await new Promise<void>(resolve => (hang = resolve))
      return inner(url, init)
    }) as FetchLike,
  })
  const inner = backendFetch(backend).fetch
  await auth.login('student@example.com', 'student123')
  await scheduler.advance(3_300_000) // user 1's scheduled refresh starts and hangs
  expect(hang).not.toBeNull()
  await auth.logout()
  auth.setTokens(backend.issueTokens(2, { accessTtlSeconds: 10 })) // due within seconds
  await scheduler.advance(30_000)
  const state = auth.getState()
  expect(state.userId).toBe('2')
  expect(state.status).toBe('authenticated')
  expect(state.expiresAt ?? 0).toBeGreaterThan(scheduler.now())
  hang!()
})
