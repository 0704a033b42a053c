/**
 * The Vue layer: plugin, Pinia store and composables.
 */
export { ChatPlugin, createChat } from './plugin'
export type { ChatPluginOptions, ChatPluginInstance } from './plugin'
export { ChatClientKey, useChatClient } from './context'
export { useChat } from './useChat'
export type { PeerIdInput, UseChatOptions, UseChatReturn } from './useChat'
export { useChatAuth } from './useChatAuth'
export type { UseChatAuthReturn } from './useChatAuth'
export { CHAT_STORE_ID, useChatStore } from './store'
export type { ChatAuthInfo, ChatConversationState, ChatErrorInfo, ChatStore } from './store'
export type { ChatStorageOption } from './storage'
export { useChatNotifications } from './useChatNotifications'
export type { ChatNotificationPermission, UseChatNotificationsOptions, UseChatNotificationsReturn } from './useChatNotifications'
export { INBOX_MAX_OPEN, useChatInbox } from './useChatInbox'
export type { ChatInboxEntry, UseChatInboxOptions, UseChatInboxReturn } from './useChatInbox'
