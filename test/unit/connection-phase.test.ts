import { describe, expect, it } from 'vitest'
import { connectionStatus } from '../../src/core/transport/phase'
import type { ConnectionPhase, ConnectionStatus } from '../../src/core/types'

describe('connection phase → status', () => {
  it('shows waiting, diagnosing and having given up as reconnecting, a pause as idle, the rest as themselves', () => {
    const expected: Record<ConnectionPhase, ConnectionStatus> = {
      idle: 'idle',
      paused: 'idle',
      offline: 'offline',
      connecting: 'connecting',
      reconnecting: 'reconnecting',
      syncing: 'syncing',
      live: 'live',
      backoff: 'reconnecting',
      diagnosing: 'reconnecting',
      gave_up: 'reconnecting',
      unauthorized: 'unauthorized',
      closed: 'closed',
    }
    for (const [phase, status] of Object.entries(expected)) expect(connectionStatus(phase as ConnectionPhase)).toBe(status)
  })
})
