import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import { ChatError } from '../../src/core/errors'
import { readClaims, tryReadClaims } from '../../src/core/auth/jwt'

const HEAD = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')

/** A token whose payload segment is `json` encoded as `encoding`, with a fake signature. */
function tokenWith(json: string, encoding: 'base64url' | 'base64' = 'base64url'): string {
  return `${HEAD}.${Buffer.from(json, 'utf8').toString(encoding)}.c2ln`
}

describe('readClaims (jwt-decode payload, our validation)', () => {
  it('decodes UTF-8 claims (accents, CJK, emoji)', () => {
    const claims = readClaims(tokenWith(JSON.stringify({ name: 'Zoë Ünal', city: '東京', mood: '🙂', user_id: 3 })))
    expect(claims).toEqual({ name: 'Zoë Ünal', city: '東京', mood: '🙂', user_id: 3 })
  })

  it('maps the base64url alphabet (- and _) back to base64', () => {
    const json = JSON.stringify({ a: '>>>', b: '???' })
    const segment = Buffer.from(json).toString('base64url')
    expect(segment).toMatch(/-/)
    expect(segment).toMatch(/_/)
    expect(readClaims(tokenWith(json))).toEqual({ a: '>>>', b: '???' })
  })

  it('reads payloads whatever their length mod 4, with or without padding', () => {
    for (const pad of ['', 'x', 'xx', 'xxx']) {
      const json = JSON.stringify({ exp: 1_900_000_000, pad })
      const segment = Buffer.from(json).toString('base64url')
      expect(readClaims(tokenWith(json)).pad).toBe(pad)
      // Some encoders keep base64's `=` padding; accept it too.
      expect(readClaims(`${HEAD}.${Buffer.from(json).toString('base64')}.c2ln`).pad).toBe(pad)
      if (json.length % 3 !== 0) expect(Buffer.from(json).toString('base64')).not.toBe(segment)
    }
  })

  it('turns garbage into a validation ChatError that never echoes the token', () => {
    const garbage: unknown[] = [
      '',
      '.',
      'only-one-part',
      `${HEAD}.`,
      `${HEAD}..sig`,
      `${HEAD}.!!!!.sig`,
      `${HEAD}.eyJhIjox.sig`, // truncated JSON
      `${HEAD}.abcde.sig`, // impossible base64 length (1 mod 4)
      tokenWith('[1,2]'),
      tokenWith('null'),
      tokenWith('42'),
      tokenWith('"text"'),
      undefined,
      null,
      12,
    ]
    for (const bad of garbage) {
      let caught: unknown
      try {
        readClaims(bad as string)
      }
      catch (error) {
        caught = error
      }
      expect(caught, String(bad)).toBeInstanceOf(ChatError)
      expect((caught as ChatError).code).toBe('validation')
      if (typeof bad === 'string' && bad.length > 1) expect((caught as ChatError).message).not.toContain(bad)
      expect(tryReadClaims(bad as string)).toBeNull()
    }
  })
})
