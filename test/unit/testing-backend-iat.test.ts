/** The test backend can mint tokens without `iat`, as some backends do (the property tests use it). */
import { describe, expect, it } from 'vitest'
import { readClaims } from '../../src/core/jwt'
import { createChatBackend } from '../../src/testing'

const credentials = { email: 'student@example.com', password: 'student123' }

function tokensOf(body: unknown): { access: string; refresh: string } {
  return (body as { tokens: { access: string; refresh: string } }).tokens
}

describe('test backend: issueIat', () => {
  it('puts iat in every token by default', () => {
    const backend = createChatBackend()
    const { access, refresh } = tokensOf(backend.login(credentials).body)
    expect(readClaims(access).iat).toEqual(expect.any(Number))
    expect(readClaims(refresh).iat).toEqual(expect.any(Number))
  })

  it('leaves it out when configured, and the tokens still verify (refresh works)', () => {
    const backend = createChatBackend()
    backend.configure({ issueIat: false })
    const { access, refresh } = tokensOf(backend.login(credentials).body)
    expect(readClaims(access).iat).toBeUndefined()
    expect(readClaims(refresh).iat).toBeUndefined()
    const refreshed = backend.refresh({ refresh })
    expect(refreshed.status).toBe(200)
    expect(readClaims((refreshed.body as { access: string }).access).iat).toBeUndefined()
  })
})
