import type { InjectionKey } from 'vue'
import { hasInjectionContext, inject } from 'vue'
import type { ChatClient } from '../core/types'
import type { ConversationBindings } from './bindings'
import { ChatSetupError, SETUP_HINT } from './errors'
import type { ChatStore } from './store'

/** Everything the composables need from the plugin; one per app. */
export interface ChatContext {
  readonly client: ChatClient
  readonly store: ChatStore
  readonly bindings: ConversationBindings
  /** `false` during SSR: composables read the store but never open a conversation. */
  readonly connect: boolean
}

/** Injection key of the app's `ChatClient` (provided by `ChatPlugin` / `createChat`). */
export const ChatClientKey: InjectionKey<ChatClient> = Symbol('vue-realtime-chat:client')

/** @internal Injection key of the whole chat context. */
export const ChatContextKey: InjectionKey<ChatContext> = Symbol('vue-realtime-chat:context')

/** @internal The app's chat context, or a `ChatSetupError` that names the fix. */
export function injectChatContext(caller: string): ChatContext {
  if (!hasInjectionContext()) {
    throw new ChatSetupError('no_context', `${caller}() must run in setup() (or app.runWithContext()) of an app with ${SETUP_HINT}`)
  }
  const context = inject(ChatContextKey, null)
  if (!context) {
    throw new ChatSetupError('plugin_missing', `${caller}() found no chat plugin. Install it once: ${SETUP_HINT}`)
  }
  return context
}

/**
 * The app's `ChatClient` (the framework-agnostic core), for what the composables do not cover.
 * Throws a `ChatSetupError` when the plugin is not installed.
 */
export function useChatClient(): ChatClient {
  return injectChatContext('useChatClient').client
}
