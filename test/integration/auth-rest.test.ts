import { describe, expect, it } from 'vitest'
import { createChatServer } from '../../src/testing'
import { ChatError } from '../../src/core/errors'
import { createMemoryStorage } from '../../src/core/persistence/storage'
import { authFixture, STUDENT } from './auth-helpers'

const fx = authFixture()

async function rejection(promise: Promise<unknown>): Promise<ChatError> {
  const error = await promise.then(() => null, (e: unknown) => e)
  expect(error).toBeInstanceOf(ChatError)
  return error as ChatError
}

describe('auth REST against the real test server', () => {
  it('login: 200 stores tokens and the user, user id normalised to a string', async () => {
    const storage = createMemoryStorage()
    const auth = fx.make({ storage, storageKey: 'rest' })
    const user = await auth.login(STUDENT.email, STUDENT.password)
    expect(user).toMatchObject({ id: '1', email: STUDENT.email, role: 'student', first_name: 'Sam' })
    expect(auth.getState()).toMatchObject({ status: 'authenticated', userId: '1' })
    const stored = JSON.parse(storage.getItem('rest:auth') ?? 'null') as { access: string; refresh: string; user: { id: string } }
    expect(typeof stored.access).toBe('string')
    expect(typeof stored.refresh).toBe('string')
    expect(stored.user.id).toBe('1')
    expect(JSON.stringify(auth.getState())).not.toContain(stored.access)
    expect(JSON.stringify(auth.getState())).not.toContain(stored.refresh)
  })

  it('login: wrong password → invalid_credentials 401, state untouched', async () => {
    const auth = fx.make()
    const error = await rejection(auth.login(STUDENT.email, 'wrong'))
    expect(error.code).toBe('invalid_credentials')
    expect(error.status).toBe(401)
    expect(error.message).not.toContain('wrong')
    expect(auth.getState().status).toBe('anonymous')
  })

  it('login: missing fields → validation with the field errors as details', async () => {
    const auth = fx.make()
    const error = await rejection(auth.login('', ''))
    expect(error.code).toBe('validation')
    expect(error.status).toBe(400)
    expect(Object.keys(error.details ?? {}).sort()).toEqual(['email', 'password'])
    expect(Array.isArray(error.details?.email)).toBe(true)
  })

  it('login: unreachable server → network', async () => {
    const dead = await createChatServer()
    const url = dead.url
    await dead.close()
    const auth = fx.make({ apiUrl: url })
    const error = await rejection(auth.login(STUDENT.email, STUDENT.password))
    expect(error.code).toBe('network')
    expect(error.message).not.toContain(url)
  })

  it('login: an unexpected status → http with the status', async () => {
    const auth = fx.make({ apiUrl: `${fx.server.url}/nowhere` })
    const error = await rejection(auth.login(STUDENT.email, STUDENT.password))
    expect(error.code).toBe('http')
    expect(error.status).toBe(404)
  })

  it('me: GET with the bearer token returns the user and updates the state', async () => {
    const auth = fx.make()
    const { access, refresh } = fx.server.issueTokens(2)
    auth.setTokens({ access, refresh })
    expect(auth.getState().user).toBeNull()
    const before = fx.server.stats.meRequests
    const user = await auth.me()
    expect(fx.server.stats.meRequests).toBe(before + 1)
    expect(user).toMatchObject({ id: '2', email: 'parent@example.com' })
    expect(auth.getState().user?.email).toBe('parent@example.com')
  })

  it('me: without a session → not_authenticated, no request', async () => {
    const auth = fx.make()
    const before = fx.server.stats.meRequests
    expect((await rejection(auth.me())).code).toBe('not_authenticated')
    expect(fx.server.stats.meRequests).toBe(before)
  })

  it('setTokens then logout: storage and memory cleared, change events in order', async () => {
    const storage = createMemoryStorage()
    const auth = fx.make({ storage, storageKey: 'own-login' })
    const statuses: string[] = []
    auth.subscribe(() => statuses.push(auth.getState().status))
    auth.setTokens(fx.server.issueTokens(3))
    expect(auth.getState().userId).toBe('3')
    expect(storage.getItem('own-login:auth')).not.toBeNull()
    await auth.logout()
    expect(storage.getItem('own-login:auth')).toBeNull()
    expect(auth.getState().userId).toBeNull()
    expect(statuses).toEqual(['authenticated', 'anonymous'])
  })

  it('a new controller on the same storage resumes the session (reload)', async () => {
    const storage = createMemoryStorage()
    const first = fx.make({ storage, storageKey: 'reload' })
    await first.login(STUDENT.email, STUDENT.password)
    const token = await first.getAccessToken()
    first.destroy()
    const second = fx.make({ storage, storageKey: 'reload' })
    expect(second.getState()).toMatchObject({ status: 'authenticated', userId: '1', user: { email: STUDENT.email } })
    expect(await second.getAccessToken()).toBe(token)
  })
})
