/**
 * `vue-realtime-chat/core`: the framework-agnostic client. No Vue, no Pinia: works in plain JS,
 * React (`useSyncExternalStore`), Node and SSR. Building blocks for a transport of your own
 * (`Timeline`, frame decoding and encoding, backoff) are in `vue-realtime-chat/protocol`.
 */
export { createChatClient } from './client'
export type { CreateChatClientOptions } from './client'
export { DEFAULTS } from './defaults'
export type { ChatDefaults } from './defaults'
export type { NotifyStrategy } from './conversation/notify'
export { typingExtension } from './conversation/typing'
export { readReceiptsExtension } from './conversation/read-receipts'
export type { ReadReceiptsExtension, TypingExtension } from './extensions'
export type { ChatRuntimeInjections } from './options'
export type { BroadcastChannelLike, LockManagerLike } from './cross-tab'
export type { LocationLike } from './transport/urls'
export { ChatError, ChatSetupError, isChatError } from './errors'
export type { ChatErrorCode, ChatErrorOptions, ChatSetupErrorCode } from './errors'
export { createMemoryStorage, createWebStorage, StorageWriteError } from './persistence/storage'
export type { WebStorageAdapter, WebStorageKind, WebStorageOptions } from './persistence/storage'
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
