/**
 * Give-up counting (`maxSendAttempts`): the writes of each own send that the server did not store.
 * In memory only: after a reload a send gets a fresh count, still bounded.
 */
import type { MessageStatus } from '../types'

/** Ignored writes per own send not yet confirmed (pruned lazily). */
export interface SendAttempts {
  /** One more write of `id` the server did not store. */
  ignored(id: string): void
  /** `id` starts again from zero (retried); without an id, every send does (another user). */
  reset(id?: string): void
  /**
   * The sends to fail now, with their counts: `queued` again (a replay proved each write not stored)
   * after `max` ignored writes. Counts of sends confirmed or discarded meanwhile are dropped.
   */
  exhausted(status: (id: string) => MessageStatus | undefined, max: number): Array<[string, number]>
}

/** An empty count. */
export function createSendAttempts(): SendAttempts {
  const writes = new Map<string, number>()
  return {
    ignored(id) {
      writes.set(id, (writes.get(id) ?? 0) + 1)
    },
    reset(id) {
      if (id === undefined) writes.clear()
      else writes.delete(id)
    },
    exhausted(status, max) {
      const out: Array<[string, number]> = []
      for (const [id, n] of writes) {
        const s = status(id)
        const done = s === 'queued' && n >= max
        if (!s || done) writes.delete(id)
        if (done) out.push([id, n])
      }
      return out
    },
  }
}
