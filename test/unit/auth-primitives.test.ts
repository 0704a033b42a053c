import { describe, expect, it } from 'vitest'
import { ChatError } from '../../src/core/errors'
import { createEmitter } from '../../src/core/emitter'
import { readClaims, tryReadClaims, userIdFrom } from '../../src/core/auth/jwt'
import { isExpired, isRefreshDue, refreshDueAt, tokenTiming } from '../../src/core/auth/token-timing'
import { createMemoryStorage, createWebStorage, StorageWriteError } from '../../src/core/persistence/storage'
import { createInProcessLocks, openChannel } from '../../src/core/cross-tab'
import { errorFromResponse, requestJson } from '../../src/core/auth/http'
import { signJwt } from '../../src/testing'
import type { FetchLike, Scheduler } from '../../src/core/types'

const SECRET = 'unit-secret'
const T0 = Date.UTC(2026, 0, 1)
function token(payload: Record<string, unknown>): string {
  return signJwt({ token_type: 'access', jti: 'j', ...payload } as Parameters<typeof signJwt>[0], SECRET)
}

describe('jwt helpers', () => {
  it('reads exp, iat and a string or numeric user id claim', () => {
    const claims = readClaims(token({ exp: T0 / 1000 + 3600, iat: T0 / 1000, user_id: '7' }))
    expect(claims.exp).toBe(T0 / 1000 + 3600)
    expect(userIdFrom(claims)).toBe('7')
    expect(userIdFrom(readClaims(token({ uid: 12 })), 'uid')).toBe('12')
    expect(userIdFrom(readClaims(token({ user_id: ' 007 ' })))).toBe('7')
    expect(userIdFrom(readClaims(token({})))).toBeNull()
  })

  it('turns a malformed token into a ChatError that does not echo the token', () => {
    for (const bad of ['', 'not-a-jwt', 'aaa.bbb.ccc', `x.${btoa('[1,2]')}.y`]) {
      let caught: unknown
      try {
        readClaims(bad)
      }
      catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(ChatError)
      expect((caught as ChatError).code).toBe('validation')
      if (bad.length > 0) expect((caught as ChatError).message).not.toContain(bad)
      expect(tryReadClaims(bad)).toBeNull()
    }
  })

  it('uses the full threshold and skew margin for long-lived tokens', () => {
    const timing = tokenTiming(readClaims(token({ iat: T0 / 1000, exp: T0 / 1000 + 3600 })), 300_000, 30_000)
    expect(timing).toEqual({ expiresAt: T0 + 3_600_000, marginMs: 30_000, leadMs: 300_000, offsetMs: 0 })
    expect(tokenTiming(readClaims(token({ iat: T0 / 1000, exp: T0 / 1000 + 3600 })), 300_000, 30_000, 5000).expiresAt).toBe(T0 + 3_605_000)
    expect(refreshDueAt(timing)).toBe(T0 + 3_300_000)
    expect(isRefreshDue(timing, T0 + 3_299_999)).toBe(false)
    expect(isRefreshDue(timing, T0 + 3_300_000)).toBe(true)
    expect(isExpired(timing, T0 + 3_569_999)).toBe(false)
    expect(isExpired(timing, T0 + 3_570_000)).toBe(true)
  })

  it('caps threshold and margin by the token lifetime so short tokens are not refreshed forever', () => {
    const timing = tokenTiming(readClaims(token({ iat: T0 / 1000, exp: T0 / 1000 + 2 })), 300_000, 30_000)
    expect(timing.leadMs).toBe(1000)
    expect(timing.marginMs).toBe(500)
    expect(isRefreshDue(timing, T0)).toBe(false)
    expect(isRefreshDue(timing, T0 + 1000)).toBe(true)
  })

  it('never expires a token without exp', () => {
    const timing = tokenTiming(readClaims(token({})), 300_000, 30_000)
    expect(timing.expiresAt).toBeNull()
    expect(isExpired(timing, Number.MAX_SAFE_INTEGER)).toBe(false)
    expect(refreshDueAt(timing)).toBeNull()
  })
})

describe('storage adapters', () => {
  it('memory storage keeps independent stores', () => {
    const a = createMemoryStorage()
    const b = createMemoryStorage()
    a.setItem('k', 'v')
    expect(a.getItem('k')).toBe('v')
    expect(b.getItem('k')).toBeNull()
    a.removeItem('k')
    expect(a.getItem('k')).toBeNull()
  })

  it('web storage falls back to memory without a window (SSR)', () => {
    const storage = createWebStorage('local', { window: undefined })
    expect(storage.persistent).toBe(false)
    storage.setItem('k', 'v')
    expect(storage.getItem('k')).toBe('v')
  })

  it('web storage the browser blocks (Safari private mode, blocked site data): every call throws until the browser allows it', () => {
    const backing = new Map<string, string>()
    let blocked = true
    const win = {
      get sessionStorage(): Storage {
        if (blocked) throw new DOMException('denied', 'SecurityError')
        return {
          getItem: (k: string) => backing.get(k) ?? null,
          setItem: (k: string, v: string) => void backing.set(k, v),
          removeItem: (k: string) => void backing.delete(k),
        } as unknown as Storage
      },
    }
    const storage = createWebStorage('session', { window: win })
    expect(storage.persistent).toBe(true)
    expect(() => storage.setItem('k', 'v')).toThrow(StorageWriteError)
    expect(() => storage.getItem('k')).toThrow(DOMException)
    blocked = false
    storage.setItem('k', 'v')
    expect(backing.get('k')).toBe('v')
    expect(storage.getItem('k')).toBe('v')
  })

  it('web storage: a refused write throws and changes nothing (reads show what every tab sees)', () => {
    const backing = new Map<string, string>()
    let full = false
    const fake = {
      getItem: (k: string) => backing.get(k) ?? null,
      setItem: (k: string, v: string) => {
        if (full && k !== '__vrc_probe__') throw new DOMException('full', 'QuotaExceededError')
        backing.set(k, v)
      },
      removeItem: (k: string) => void backing.delete(k),
    } as unknown as Storage
    const storage = createWebStorage('local', { window: { localStorage: fake } })
    expect(storage.persistent).toBe(true)
    storage.setItem('a', '1')
    expect(backing.get('a')).toBe('1')
    full = true
    expect(() => storage.setItem('a', '2')).toThrow(StorageWriteError)
    expect(backing.get('a')).toBe('1')
    expect(storage.getItem('a')).toBe('1')
    full = false
    storage.setItem('a', '3')
    expect(backing.get('a')).toBe('3')
    expect(storage.getItem('a')).toBe('3')
    storage.removeItem('a')
    expect(storage.getItem('a')).toBeNull()
  })

  it('web storage: a read or removal the browser blocks later throws, so it is never taken for a missing value', () => {
    const backing = new Map<string, string>([['a', '1']])
    let blocked = false
    const check = () => {
      if (blocked) throw new DOMException('denied', 'SecurityError')
    }
    const fake = {
      getItem: (k: string) => (check(), backing.get(k) ?? null),
      setItem: (k: string, v: string) => (check(), void backing.set(k, v)),
      removeItem: (k: string) => (check(), void backing.delete(k)),
    } as unknown as Storage
    const storage = createWebStorage('local', { window: { localStorage: fake } })
    blocked = true
    expect(() => storage.getItem('a')).toThrow(DOMException)
    expect(() => storage.removeItem('a')).toThrow(DOMException)
    blocked = false
    expect(storage.getItem('a')).toBe('1')
  })
})

describe('emitter', () => {
  it('isolates a throwing listener and removes one registration at a time', () => {
    const errors: unknown[] = []
    const events = createEmitter<{ tick: number }>({ onListenerError: error => errors.push(error) })
    const seen: number[] = []
    const handler = (n: number): void => {
      seen.push(n)
    }
    events.on('tick', () => {
      throw new Error('app bug')
    })
    const offFirst = events.on('tick', handler)
    events.on('tick', handler)
    const offLate = events.on('tick', (n) => {
      seen.push(n * 100)
      offLate()
    })
    events.emit('tick', 1)
    offFirst()
    offFirst()
    events.emit('tick', 2)
    expect(seen).toEqual([1, 1, 100, 2])
    expect(errors).toHaveLength(2)
    events.clear()
    events.emit('tick', 3)
    expect(seen).toEqual([1, 1, 100, 2])
    expect(errors).toHaveLength(2)
  })
})

describe('cross-tab primitives', () => {
  it('in-process locks are exclusive and FIFO', async () => {
    const locks = createInProcessLocks()
    const order: string[] = []
    let release!: () => void
    const first = locks.request('x', async () => {
      order.push('a:start')
      await new Promise<void>((resolve) => {
        release = resolve
      })
      order.push('a:end')
      return 'a'
    })
    const second = locks.request('x', () => {
      order.push('b')
      return 'b'
    })
    const other = locks.request('y', () => {
      order.push('y')
      return 'y'
    })
    await other
    expect(locks.held('x')).toBe(true)
    release()
    expect(await Promise.all([first, second])).toEqual(['a', 'b'])
    expect(order).toEqual(['a:start', 'y', 'a:end', 'b'])
    expect(locks.held('x')).toBe(false)
  })

  it('a failing lock callback releases the lock', async () => {
    const locks = createInProcessLocks()
    await expect(locks.request('x', () => {
      throw new Error('boom')
    })).rejects.toThrow('boom')
    expect(await locks.request('x', () => 1)).toBe(1)
  })

  it('openChannel returns null when the factory is missing or throws', () => {
    expect(openChannel(null, 'n')).toBeNull()
    expect(openChannel(() => {
      throw new Error('opaque origin')
    }, 'n')).toBeNull()
  })
})

describe('http helper', () => {
  const refusing: FetchLike = () => Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }))

  it('maps an unreachable server to a network ChatError without the URL or token', async () => {
    const url = 'http://127.0.0.1:1/api/auth/me/?token=secret-token'
    const error = await requestJson({ fetch: refusing }, { method: 'GET', url, token: 'secret-token', label: 'me' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ChatError)
    expect((error as ChatError).code).toBe('network')
    const text = `${(error as ChatError).message} ${String((error as ChatError).cause)}`
    expect(text).not.toContain('secret-token')
    expect(text).not.toContain('127.0.0.1')
    expect(text).toContain('ECONNREFUSED')
  })

  it('maps statuses: 400 validation with field details, 401 unauthorized, other http', () => {
    const v = errorFromResponse({ status: 400, ok: false, body: { email: ['This field is required.'] } }, 'login')
    expect(v.code).toBe('validation')
    expect(v.details).toEqual({ email: ['This field is required.'] })
    expect(errorFromResponse({ status: 401, ok: false, body: null }, 'me').code).toBe('unauthorized')
    const h = errorFromResponse({ status: 502, ok: false, body: null }, 'me')
    expect(h.code).toBe('http')
    expect(h.status).toBe(502)
  })

  it('aborts after timeoutMs using the injected scheduler', async () => {
    let fire: (() => void) | undefined
    const scheduler: Scheduler = { now: () => 0, setTimeout: (fn) => {
      fire = fn
      return 1
    }, clearTimeout: () => {} }
    const hanging: FetchLike = (_url, init) => new Promise((_resolve, reject) => {
      init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
    })
    const pending = requestJson({ fetch: hanging, scheduler, timeoutMs: 5000 }, { method: 'GET', url: 'http://x/', label: 'me' })
    fire?.()
    await expect(pending).rejects.toMatchObject({ code: 'network', message: 'me: no answer within 5000 ms' })
  })

  it('returns non-JSON bodies as null instead of throwing', async () => {
    const html: FetchLike = () => Promise.resolve({ ok: false, status: 502, json: () => Promise.reject(new Error('x')), text: () => Promise.resolve('<html>bad gateway</html>') })
    const res = await requestJson({ fetch: html }, { method: 'GET', url: 'http://x/', label: 'me' })
    expect(res).toEqual({ status: 502, ok: false, body: null })
  })
})
