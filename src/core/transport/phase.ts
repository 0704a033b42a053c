/**
 * The public `ConnectionStatus` of a connection phase: waiting, diagnosing and having given up all
 * look like `reconnecting` to an app, a paused connection like `idle`.
 */
import type { ConnectionPhase, ConnectionStatus } from '../types'

/** The status an app sees in `phase`. */
export function connectionStatus(phase: ConnectionPhase): ConnectionStatus {
  return phase === 'paused' ? 'idle' : phase === 'backoff' || phase === 'diagnosing' || phase === 'gave_up' ? 'reconnecting' : phase
}
