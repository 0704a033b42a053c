/**
 * `vue-realtime-chat/core`: the framework-agnostic client. No Vue, no Pinia: works in plain JS,
 * React (`useSyncExternalStore`), Node and SSR.
 */
export { createChatClient } from './client'
export type { CreateChatClientOptions } from './client'
export type { NotifyStrategy } from './conversation/conversation'
export { ChatError, isChatError } from './errors'
export type { ChatErrorCode, ChatErrorOptions } from './errors'
export { resolveOptions, createDefaultScheduler, createDefaultSignals } from './options'
export type { ChatRuntimeInjections, LockManagerLike, ResolvedOptions } from './options'
export { chatSocketUrl, parsePeerId, resolveUrls, toWebSocketUrl } from './transport/urls'
export type { EndpointUrls, LocationLike, ResolveUrlsOptions } from './transport/urls'
export { createMemoryStorage, createWebStorage, StorageWriteError } from './persistence/storage'
export type { WebStorageAdapter, WebStorageKind, WebStorageOptions } from './persistence/storage'
export type { BroadcastChannelLike } from './cross-tab'
export { computeBackoff, backoffCeiling } from './transport/backoff'
export type { BackoffOptions } from './transport/backoff'
export { createEmitter } from './emitter'
export type { Emitter, EmitterOptions, EventMap, Listener } from './emitter'
export { decodeFrame, encodeExtension, encodeMessage, normaliseUserId, parseTimestamp } from './transport/protocol'
export type { DecodeOptions, DecodeResult, HistoryFrame, InboundFrame, LiveFrame, ReadFrame, TypingFrame } from './transport/protocol'
export { Timeline } from './timeline/timeline'
export type { LiveOutcome, OutboxEntry, ReplayResult, TimelineOptions } from './timeline/timeline'
export type {
  AuthState,
  AuthStatus,
  ChatAuth,
  ChatAuthEvents,
  ChatClient,
  ChatClientOptions,
  ChatLogger,
  ChatMessage,
  ChatUser,
  ConnectionPhase,
  ConnectionStatus,
  ConnectionTransition,
  Conversation,
  ConversationEvents,
  ConversationSnapshot,
  EnvironmentSignals,
  ExtensionOptions,
  FetchLike,
  MessageStatus,
  ReconnectOptions,
  ReplaySummary,
  Scheduler,
  SendResult,
  StorageAdapter,
  TokenPair,
  TransitionReason,
  UserId,
  WebSocketConstructor,
  WebSocketLike,
} from './types'
