import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { transition, TRANSITIONS } from '../../src/core/timeline/message-status'
import type { StatusReason } from '../../src/core/timeline/message-status'
import type { OutboxEntry, Timeline } from '../../src/core/timeline/timeline'
import type { ChatMessage, MessageStatus } from '../../src/core/types'
import { hist, live, makeTimeline, ME, PEER, replay } from './timeline-helpers'

interface Change { id: string; from: MessageStatus; to: MessageStatus; reason: StatusReason }

/** A strict timeline that records every status change. */
function observed() {
  const changes: Change[] = []
  const { tl } = makeTimeline({ onStatusChange: (id, from, to, reason) => changes.push({ id, from, to, reason }) })
  return { tl, changes }
}

const entry = (over: Partial<OutboxEntry> & Pick<OutboxEntry, 'id' | 'status'>): OutboxEntry =>
  ({ content: 'x', createdAt: Date.UTC(2026, 0, 1), priorOccurrences: null, ...over })

/** A sent message from the server, then the timeline live. */
function showing(tl: Timeline, content: string): void {
  replay(tl, [hist(ME, content)])
}

/** An own message written to a socket that then closed: `unknown`. */
function unknownSend(tl: Timeline, content = 'x'): ChatMessage {
  const m = tl.enqueue(content)
  tl.takeQueued()
  tl.disconnected()
  return m
}

/**
 * For every allowed transition (`reason:from`), the public calls that make it happen; returns the
 * id of the message that must have taken it.
 */
const SCENARIOS: Record<string, (tl: Timeline) => string> = {
  'written:queued': (tl) => {
    const m = tl.enqueue('x')
    tl.takeQueued()
    return m.id
  },
  'not-written:pending': (tl) => {
    const m = tl.enqueue('x')
    tl.takeQueued()
    expect(tl.hold(m.id)).toBe(true)
    return m.id
  },
  'socket-closed:pending': tl => unknownSend(tl).id,
  'restored:pending': (tl) => {
    tl.restore([entry({ id: 'r', status: 'pending', priorOccurrences: 0 })])
    return 'r'
  },
  'echo:pending': (tl) => {
    const m = tl.enqueue('x')
    tl.takeQueued()
    expect(tl.applyLive(live(ME, 'x'))).toBe('echo')
    return m.id
  },
  'echo:unknown': (tl) => {
    // Adopted while live (from a tab that died mid-send): the echo of that tab's write confirms it.
    tl.restore([entry({ id: 'r', status: 'unknown', priorOccurrences: 0 })])
    expect(tl.applyLive(live(ME, 'x'))).toBe('echo')
    return 'r'
  },
  'replayed:unknown': (tl) => {
    const m = unknownSend(tl)
    expect(replay(tl, [hist(ME, 'x')]).confirmed).toBe(1)
    return m.id
  },
  'replayed:queued': (tl) => {
    // Retried before the replay could tell: it keeps the occurrences it knew of, so a replay still proves it.
    const m = unknownSend(tl)
    tl.retry(m.id)
    expect(replay(tl, [hist(ME, 'x')]).confirmed).toBe(1)
    return m.id
  },
  'shown:unknown': (tl) => {
    showing(tl, 'x')
    tl.restore([entry({ id: 'r', status: 'unknown', priorOccurrences: 0 })])
    return 'r'
  },
  'shown:queued': (tl) => {
    showing(tl, 'x')
    tl.restore([entry({ id: 'r', status: 'queued', priorOccurrences: 0 })])
    return 'r'
  },
  'lost:unknown': (tl) => {
    const m = unknownSend(tl)
    expect(replay(tl, []).requeued).toBe(1)
    return m.id
  },
  'retry:failed': (tl) => {
    const m = tl.enqueue('x', 'max_attempts')
    expect(tl.retry(m.id)).toBe(true)
    return m.id
  },
  'retry:unknown': (tl) => {
    const m = unknownSend(tl)
    expect(tl.retry(m.id)).toBe(true)
    return m.id
  },
  'failed:queued': (tl) => {
    const m = tl.enqueue('x')
    tl.fail(m.id, 'max_attempts')
    return m.id
  },
  'failed:pending': (tl) => {
    const m = tl.enqueue('x')
    tl.takeQueued()
    tl.fail(m.id, 'max_attempts')
    return m.id
  },
  'failed:unknown': (tl) => {
    const m = unknownSend(tl)
    tl.fail(m.id, 'max_attempts')
    return m.id
  },
  'unstorable:queued': (tl) => {
    tl.restore([entry({ id: 'r', status: 'queued', content: 'a\0' })])
    return 'r'
  },
  'unstorable:pending': (tl) => {
    tl.restore([entry({ id: 'r', status: 'pending', content: 'a\0', priorOccurrences: 0 })])
    return 'r'
  },
  'unstorable:unknown': (tl) => {
    tl.restore([entry({ id: 'r', status: 'unknown', content: 'a\0', priorOccurrences: 0 })])
    return 'r'
  },
}

const ALLOWED = Object.entries(TRANSITIONS).flatMap(([reason, { from }]) => from.map(status => `${reason}:${status}`))

describe('message status: the transition table', () => {
  it('has a scenario for each allowed transition, and nothing else', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual([...ALLOWED].sort())
  })

  it.each(Object.keys(SCENARIOS))('%s is reachable through the public API', (key) => {
    const [reason, from] = key.split(':') as [StatusReason, MessageStatus]
    const { tl, changes } = observed()
    const id = SCENARIOS[key]!(tl)
    expect(changes).toContainEqual({ id, from, to: TRANSITIONS[reason].to, reason })
    const status = tl.messages().find(m => m.id === id)?.status
    expect(status).toBe(TRANSITIONS[reason].to)
  })

  it('a disallowed transition is reported and still made; without hooks nothing throws', () => {
    const onInvalidTransition = vi.fn()
    const onStatusChange = vi.fn()
    const e = { id: 'm', status: 'failed' as MessageStatus, msg: null }
    transition(e, 'written', { onInvalidTransition, onStatusChange })
    expect(onInvalidTransition).toHaveBeenCalledWith('m', 'failed', 'pending', 'written')
    expect(onStatusChange).toHaveBeenCalledWith('m', 'failed', 'pending', 'written')
    expect(e.status).toBe('pending')
    const bare = { id: 'n', status: 'sent' as MessageStatus, msg: null }
    expect(() => transition(bare, 'lost', {})).not.toThrow()
    expect(bare.status).toBe('queued')
  })

  it('the same status again is no change: not reported, not observed', () => {
    const onInvalidTransition = vi.fn()
    const onStatusChange = vi.fn()
    const e = { id: 'm', status: 'failed' as MessageStatus, msg: null }
    transition(e, 'failed', { onInvalidTransition, onStatusChange })
    expect(onInvalidTransition).not.toHaveBeenCalled()
    expect(onStatusChange).not.toHaveBeenCalled()
  })

  it('public calls the table does not allow change nothing', () => {
    const { tl, changes } = observed()
    const m = tl.enqueue('x')
    expect(tl.retry(m.id)).toBe(false)
    expect(tl.hold(m.id)).toBe(false)
    tl.takeQueued()
    expect(tl.retry(m.id)).toBe(false)
    expect(changes.map(c => c.reason)).toEqual(['written'])
    expect(tl.unsentMessage(m.id)?.status).toBe('pending')
  })

  it('a send that keeps its status (enqueue, restore as stored) is not observed; one that never changes neither', () => {
    const { tl, changes } = observed()
    tl.enqueue('x')
    tl.enqueue('y', 'message_too_long')
    tl.restore([entry({ id: 'r', status: 'failed', error: 'max_attempts' }), entry({ id: 's', status: 'queued' })])
    tl.applyLive(live(PEER, 'hello'))
    expect(changes).toEqual([])
  })
})

/** One public call on a timeline, as a random step. */
type Op =
  | { t: 'send'; text: string; failed: boolean }
  | { t: 'take' | 'disconnect' | 'begin' | 'end' | 'settle' }
  | { t: 'hold' | 'retry' | 'fail' | 'discard'; pick: number }
  | { t: 'frame'; mine: boolean; text: string }
  | { t: 'live'; mine: boolean; text: string }
  | { t: 'restore'; status: OutboxEntry['status']; text: string; prior: number | null }

const text = fc.constantFrom('a', 'b', 'a\0')
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('send' as const), text, failed: fc.boolean() }),
  fc.record({ t: fc.constantFrom('take' as const, 'disconnect' as const, 'begin' as const, 'end' as const, 'settle' as const) }),
  fc.record({ t: fc.constantFrom('hold' as const, 'retry' as const, 'fail' as const, 'discard' as const), pick: fc.nat(5) }),
  fc.record({ t: fc.constantFrom('frame' as const, 'live' as const), mine: fc.boolean(), text }),
  fc.record({ t: fc.constant('restore' as const), status: fc.constantFrom<OutboxEntry['status']>('queued', 'pending', 'unknown', 'failed'), text, prior: fc.option(fc.nat(2)) }),
)

describe('message status: every change goes through the table', () => {
  it('after any sequence of calls, each own message shows the status its last observed change led to', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const { tl, changes } = observed()
      // Status per id: as created (enqueue, restore), then as each observed change says.
      const known = new Map<string, MessageStatus>()
      let restored = 0
      let seen = 0
      const follow = () => {
        for (; seen < changes.length; seen++) {
          const c = changes[seen]!
          expect(c.from).toBe(known.get(c.id))
          known.set(c.id, c.to)
        }
      }
      for (const o of ops) {
        const ids = tl.outbox().map(e => e.id)
        const picked = 'pick' in o ? ids[o.pick % Math.max(1, ids.length)] ?? 'none' : 'none'
        switch (o.t) {
          case 'send': known.set(tl.enqueue(o.text, o.failed ? 'message_too_long' : undefined).id, o.failed ? 'failed' : 'queued'); break
          case 'take': tl.takeQueued(); break
          case 'disconnect': tl.disconnected(); break
          case 'begin': tl.beginReplay(); break
          case 'end': tl.endReplay(); break
          case 'settle': tl.settle(); break
          case 'hold': tl.hold(picked); break
          case 'retry': tl.retry(picked); break
          case 'fail': tl.fail(picked, 'max_attempts'); break
          case 'discard': tl.discard(picked); break
          case 'frame': tl.addReplayFrame(hist(o.mine ? ME : PEER, o.text)); break
          case 'live': tl.applyLive(live(o.mine ? ME : PEER, o.text)); break
          case 'restore': {
            const id = `r${restored++}`
            known.set(id, o.status)
            tl.restore([entry({ id, status: o.status, content: o.text, priorOccurrences: o.prior })])
            break
          }
        }
        follow()
        for (const m of tl.messages()) {
          if (known.has(m.id)) expect(m.status, m.id).toBe(known.get(m.id))
        }
      }
    }), { seed: 20261124, numRuns: 300 })
  })
})
