/**
 * The auth state machine on its own: every reason from every status against a table written out
 * here, which sessions a transition starts (the epoch) and the public state derived from the phase.
 */
import { describe, expect, it } from 'vitest'
import { createEmitter } from '../../src/core/emitter'
import { createAuthMachine } from '../../src/core/auth/phase'
import type { AuthMachine, AuthTransition } from '../../src/core/auth/phase'
import type { AuthEnv } from '../../src/core/auth/env'
import type { Session } from '../../src/core/auth/session'
import type { AuthState, AuthStatus, ChatAuthEvents } from '../../src/core/types'

const STATUSES: readonly AuthStatus[] = ['anonymous', 'authenticated', 'refreshing', 'unauthorized']

/** Where each reason leads from anonymous, authenticated, refreshing, unauthorized (`null`: refused). */
const EXPECTED: Record<AuthTransition, readonly (AuthStatus | null)[]> = {
  signedIn: ['authenticated', 'authenticated', 'authenticated', 'authenticated'],
  adopted: ['authenticated', 'authenticated', 'refreshing', 'authenticated'],
  profile: [null, 'authenticated', 'refreshing', null],
  refreshStarted: [null, 'refreshing', null, null],
  refreshed: [null, 'authenticated', 'authenticated', null],
  refreshSettled: [null, null, 'authenticated', null],
  signedOut: ['anonymous', 'anonymous', 'anonymous', 'anonymous'],
  rejected: ['unauthorized', 'unauthorized', 'unauthorized', null],
}

function session(userId: string, access = `access-${userId}`): Session {
  return {
    access,
    refresh: `refresh-${access}`,
    user: Object.freeze({ id: userId, email: `${userId}@example.com`, role: 'student', first_name: 'A', last_name: 'B' }),
    userId,
    timing: { expiresAt: 1_000_000, marginMs: 0, leadMs: 0, offsetMs: 0 },
    receivedAt: undefined,
  }
}

function setup() {
  const events = createEmitter<ChatAuthEvents>()
  const published: AuthState[] = []
  const logged: string[] = []
  let newEpochs = 0
  events.on('change', state => published.push(state))
  const env: AuthEnv = {
    http: { fetch: () => Promise.reject(new Error('no network in this test')) },
    apiUrl: 'http://chat.test',
    scheduler: { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} },
    now: () => 0,
    passive: false,
    instanceId: 'test',
    lock: null,
    events,
    log: (_level, message) => logged.push(message),
  }
  const machine = createAuthMachine(env, () => newEpochs++)
  return { machine, published, logged, newEpochs: () => newEpochs }
}

/** A machine in `status`, reached through the machine's own transitions. */
function machineIn(status: AuthStatus): AuthMachine {
  const { machine } = setup()
  if (status !== 'anonymous') machine.transition('signedIn', session('1'))
  if (status === 'refreshing') machine.transition('refreshStarted')
  if (status === 'unauthorized') machine.transition('rejected')
  expect(machine.status()).toBe(status)
  return machine
}

describe('auth state machine', () => {
  for (const [reason, targets] of Object.entries(EXPECTED) as Array<[AuthTransition, readonly (AuthStatus | null)[]]>) {
    it(`${reason}: ${STATUSES.map((from, i) => `${from} -> ${targets[i] ?? 'refused'}`).join(', ')}`, () => {
      STATUSES.forEach((from, i) => {
        const machine = machineIn(from)
        const before = { session: machine.session(), epoch: machine.epoch() }
        const next = session('1', 'access-next')
        const to = targets[i] ?? null
        expect(machine.can(reason), `${reason} from ${from}`).toBe(to !== null)
        expect(machine.transition(reason, next), `${reason} from ${from}`).toBe(to !== null)
        if (to === null) {
          expect(machine.status()).toBe(from)
          expect(machine.session()).toBe(before.session)
          expect(machine.epoch()).toBe(before.epoch)
          return
        }
        expect(machine.status(), `${reason} from ${from}`).toBe(to)
        expect(machine.session()).toBe(to === 'anonymous' || to === 'unauthorized' ? null : next)
      })
    })
  }

  it('without a session given, a transition keeps the current one', () => {
    const machine = machineIn('authenticated')
    const current = machine.session()
    machine.transition('refreshStarted')
    expect(machine.session()).toBe(current)
    machine.transition('refreshSettled')
    expect(machine.session()).toBe(current)
  })

  it('a new epoch begins with every other session, not with new tokens of the same one', () => {
    const { machine, newEpochs } = setup()
    const epochs = (): [number, number] => [machine.epoch(), newEpochs()]
    machine.transition('adopted', session('1'))
    expect(epochs()).toEqual([1, 1])
    machine.transition('adopted', session('1', 'rotated'))
    machine.transition('profile', session('1', 'rotated'))
    machine.transition('refreshStarted')
    machine.transition('refreshed', session('1', 'refreshed'))
    machine.transition('refreshStarted')
    machine.transition('refreshSettled')
    expect(epochs()).toEqual([1, 1])
    machine.transition('adopted', session('2'))
    expect(epochs()).toEqual([2, 2])
    machine.transition('signedIn', session('2', 'again'))
    expect(epochs()).toEqual([3, 3])
    machine.transition('rejected')
    expect(epochs()).toEqual([4, 4])
    machine.transition('signedOut')
    expect(epochs()).toEqual([5, 5])
  })

  it('derives the public state from the phase and publishes it only when it changed', () => {
    const { machine, published } = setup()
    expect(machine.state()).toEqual({ status: 'anonymous', user: null, userId: null, expiresAt: null })
    const first = session('7')
    machine.transition('signedIn', first)
    expect(published).toEqual([])
    machine.publish()
    machine.publish()
    expect(published).toEqual([{ status: 'authenticated', user: first.user, userId: '7', expiresAt: 1_000_000 }])
    expect(Object.isFrozen(machine.state())).toBe(true)
    machine.transition('refreshStarted')
    machine.transition('refreshSettled')
    machine.publish()
    expect(published).toHaveLength(1)
    machine.transition('rejected')
    machine.publish()
    expect(published.at(-1)).toEqual({ status: 'unauthorized', user: null, userId: null, expiresAt: null })
    expect(machine.state()).toBe(published.at(-1))
  })

  it('names each transition and its reason in the debug log, and no token', () => {
    const { machine, logged } = setup()
    machine.transition('signedIn', session('1'))
    machine.transition('refreshStarted')
    expect(logged).toEqual(['anonymous -> authenticated (signedIn)', 'authenticated -> refreshing (refreshStarted)'])
  })

  it('refuses every transition once destroyed, and moves the epoch so work in flight drops its result', () => {
    const machine = machineIn('authenticated')
    const epoch = machine.epoch()
    machine.destroy()
    expect(machine.destroyed()).toBe(true)
    expect(machine.epoch()).toBe(epoch + 1)
    for (const reason of Object.keys(EXPECTED) as AuthTransition[]) {
      expect(machine.can(reason)).toBe(false)
      expect(machine.transition(reason, session('2'))).toBe(false)
    }
    expect(machine.status()).toBe('authenticated')
  })
})
