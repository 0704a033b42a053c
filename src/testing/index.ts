/**
 * `vue-realtime-chat/testing`: a protocol-faithful chat server (REST + WebSocket, fault
 * injection) for tests and dev backends.
 */
export { createChatServer } from './server'
export { createChatBackend } from './backend'
export type {
  ChatBackend,
  ChatBackendStats,
  ChatConnection,
  HandshakeFailure,
  HandshakeFailureReason,
  HandshakeResult,
  HandshakeSession,
  ResolvedBackendOptions,
  RestResponse,
} from './backend'
export { createMemoryStore } from './store'
export { createJti, signJwt, verifyJwt } from './jwt'
export type { JwtPayload } from './jwt'
export { DEFAULT_USERS } from './users'
export { createManualSignals } from './signals'
export type { ManualSignals } from './signals'
export type * from './types'
/** A `navigator.locks` stand-in for Node tests of cross-tab behaviour (pass as `locks`). */
export { createInProcessLocks } from '../core/cross-tab'
