import type { ComputedRef, ShallowRef } from 'vue'
import { computed, shallowRef } from 'vue'
import { tryOnScopeDispose } from '@vueuse/core'
import { ChatError, isChatError } from '../core/errors'
import type { AuthStatus, ChatUser, TokenPair, UserId } from '../core/types'
import { injectChatContext } from './context'
import { toErrorInfo, type ChatErrorInfo } from './store'

export interface UseChatAuthReturn {
  /** The signed-in user (from login, `setTokens` or `/api/auth/me/`), or `null`. */
  readonly user: ComputedRef<ChatUser | null>
  /** The signed-in user's id from the token, normalised to a string. */
  readonly userId: ComputedRef<UserId | null>
  /** `anonymous`, `authenticated`, `refreshing` or `unauthorized` (log in again). */
  readonly status: ComputedRef<AuthStatus>
  /** `authenticated` or `refreshing`. */
  readonly isAuthenticated: ComputedRef<boolean>
  /** The last login or refresh failure (`invalid_credentials`, `validation`, `network`, `unauthorized`, ...). */
  readonly error: ComputedRef<ChatErrorInfo | null>
  /** A `login()` is in flight. */
  readonly isLoading: Readonly<ShallowRef<boolean>>
  /**
   * `POST /api/auth/login/`. Resolves to the user, or to `null` with `error` set: it never rejects,
   * so a form can `if (await login(email, password)) router.push('/chat')`.
   */
  login(email: string, password: string): Promise<ChatUser | null>
  /** Forget the tokens (storage included) and close every conversation. */
  logout(): Promise<void>
  /** For apps with their own login: hand over tokens (and the user when known). Sets `error` on a malformed token. */
  setTokens(tokens: TokenPair, user?: ChatUser): void
  /** Call `callback` when the session ends for good (refresh rejected); stops with the component. Returns a stop function. */
  onUnauthorized(callback: (error: ChatErrorInfo) => void): () => void
}

function asChatError(error: unknown): ChatError {
  return isChatError(error) ? error : new ChatError('network', 'Request failed', { cause: error })
}

/**
 * The signed-in user and the auth actions, shared app-wide through the store.
 * Tokens stay inside the client: they never enter reactive or store state.
 *
 * @example
 * ```ts
 * const { user, login, logout, isAuthenticated, error } = useChatAuth()
 * ```
 */
export function useChatAuth(): UseChatAuthReturn {
  const { client, store } = injectChatContext('useChatAuth')
  const isLoading = shallowRef(false)
  const status = computed(() => store.auth.status)

  return {
    user: computed(() => store.auth.user),
    userId: computed(() => store.auth.userId),
    status,
    isAuthenticated: computed(() => status.value === 'authenticated' || status.value === 'refreshing'),
    error: computed(() => store.auth.error),
    isLoading,
    async login(email, password) {
      isLoading.value = true
      try {
        const user = await client.auth.login(email, password)
        store.setAuthError(null)
        return user
      }
      catch (error) {
        store.setAuthError(toErrorInfo(asChatError(error)))
        return null
      }
      finally {
        isLoading.value = false
      }
    },
    async logout() {
      try {
        await client.auth.logout()
      }
      finally {
        store.setAuthError(null)
      }
    },
    setTokens(tokens, user) {
      try {
        client.auth.setTokens(tokens, user)
        store.setAuthError(null)
      }
      catch (error) {
        store.setAuthError(toErrorInfo(asChatError(error)))
      }
    },
    onUnauthorized(callback) {
      const stop = client.auth.on('unauthorized', error => callback(toErrorInfo(error)))
      tryOnScopeDispose(stop)
      return stop
    },
  }
}
