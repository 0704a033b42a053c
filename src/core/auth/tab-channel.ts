/**
 * Messages between the tabs of a session over a BroadcastChannel: "tokens" (a login or new
 * tokens), "logout", "unauthorized". A message only says "re-read storage", never carries a token,
 * and ends a wait for another tab's write as soon as it arrives (polling covers a missing channel).
 */
import type { BroadcastChannelLike } from '../cross-tab'
import type { Scheduler } from '../types'
import { asRecord } from './http'

export type TabMessage = 'tokens' | 'logout' | 'unauthorized'

export interface TabChannel {
  post(type: TabMessage): void
  /** Resolve `true` as soon as `check()` holds (checked on each message and every 50 ms), `false` after `ms` or on close. */
  waitFor(check: () => boolean, ms: number): Promise<boolean>
  /** Close the channel; pending waits resolve `false`. */
  close(): void
}

/** `channel`: `null` without one (no cross-tab, no BroadcastChannel). `onMessage` gets other tabs' messages. */
export function createTabChannel(channel: BroadcastChannelLike | null, instanceId: string, scheduler: Scheduler, onMessage: (type: TabMessage) => void): TabChannel {
  const waiters = new Set<() => void>()
  let closed = false
  const wake = (): void => {
    for (const waiter of [...waiters]) waiter()
  }

  if (channel) {
    channel.onmessage = (event) => {
      const message = asRecord(event?.data)
      const type = message?.type
      if (!message || message.from === instanceId || closed) return
      if (type !== 'tokens' && type !== 'logout' && type !== 'unauthorized') return
      onMessage(type)
      wake()
    }
  }

  return {
    post(type) {
      try {
        channel?.postMessage({ type, from: instanceId })
      }
      catch {
        // A closed or broken channel only costs cross-tab promptness; storage stays the truth.
      }
    },
    waitFor(check, ms) {
      if (check()) return Promise.resolve(true)
      if (ms <= 0) return Promise.resolve(false)
      return new Promise((resolve) => {
        const deadline = scheduler.now() + ms
        let poll: unknown
        const finish = (value: boolean): void => {
          waiters.delete(run)
          if (poll !== undefined) scheduler.clearTimeout(poll)
          resolve(value)
        }
        function run(): void {
          if (closed) return finish(false)
          if (check()) return finish(true)
          if (scheduler.now() >= deadline) return finish(false)
          poll = scheduler.setTimeout(run, Math.min(50, Math.max(1, deadline - scheduler.now())))
        }
        waiters.add(run)
        poll = scheduler.setTimeout(run, Math.min(50, ms))
      })
    },
    close() {
      closed = true
      wake()
      if (!channel) return
      channel.onmessage = null
      try {
        channel.close()
      }
      catch {
        // Already closed.
      }
    },
  }
}
