import type { ComputedRef, MaybeRefOrGetter, ShallowRef } from 'vue'
import { computed, shallowRef, toValue } from 'vue'
import { defaultDocument, useDocumentVisibility, useTitle, useWebNotification } from '@vueuse/core'
import { normaliseUserId } from '../core/transport/protocol'
import type { ChatMessage, UserId } from '../core/index'
import { injectChatContext } from './context'
import { trackHeldConversations } from './heldConversations'
import type { PeerIdInput } from './useChat'

/** What the browser allows: `'default'` until the user answered, `'unsupported'` without the Notification API (SSR too). */
export type ChatNotificationPermission = 'default' | 'granted' | 'denied' | 'unsupported'

export interface UseChatNotificationsOptions {
  /**
   * The conversation on screen: its messages notify only while the page is hidden.
   * @default null (none: every conversation notifies)
   */
  activePeerId?: MaybeRefOrGetter<PeerIdInput>
  /**
   * The notification's title for a message from `peerId`, e.g. the contact's name.
   * @default 'New message'
   */
  displayName?: (peerId: UserId) => string | null | undefined
  /**
   * Longest preview of the message in the notification body, in characters (whitespace collapsed,
   * cut with `…`). The text is shown as text, never as HTML. `0` shows no message text at all.
   * @default 100
   */
  previewLength?: number
  /**
   * Icon URL, or one per sender.
   * @default undefined (the browser's)
   */
  icon?: string | ((peerId: UserId) => string | null | undefined)
  /**
   * Called when the user clicks a notification, after the window was focused and the notification
   * closed: e.g. open that conversation.
   * @default undefined
   */
  onClick?: (peerId: UserId) => void
  /**
   * The page title the unread count goes in front of: `(3) My school`. `false` leaves the title alone.
   * @default the document's title when the composable is set up
   */
  title?: MaybeRefOrGetter<string> | false
}

export interface UseChatNotificationsReturn {
  /** Whether notifications can be shown; `'denied'` and `'unsupported'` are states, never errors. */
  readonly permission: Readonly<ShallowRef<ChatNotificationPermission>>
  /** Unread messages across every conversation the app holds (what the title shows). */
  readonly unreadTotal: ComputedRef<number>
  /**
   * Ask the browser for permission. Call it from a user gesture (a click): browsers ignore or
   * penalise requests without one, so nothing asks on its own. Resolves to the new state; never rejects.
   */
  requestPermission(): Promise<ChatNotificationPermission>
}

/** The notification body: the text with whitespace collapsed, at most `max` characters (code points). */
export function previewText(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  const chars = Array.from(flat)
  if (max <= 0) return ''
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat
}

/**
 * Tell the user about new messages while they look elsewhere: a Web Notification (VueUse
 * `useWebNotification`) for each new message from a peer (live only: never a history replay, never
 * the user's own) while the page is hidden or that conversation is not the one on screen, and the
 * unread total in the document title (VueUse `useTitle`). Watches every conversation the app holds
 * (`useChat`, `useChatInbox`) and opens none. Call it once, in the app's root or layout.
 * During SSR it does nothing.
 *
 * @example
 * ```ts
 * const route = useRoute()
 * const { permission, requestPermission } = useChatNotifications({
 *   activePeerId: () => route.params.peerId as string,
 *   displayName: peerId => contacts.value.find(c => c.id === peerId)?.name,
 *   onClick: peerId => router.push(`/chat/${peerId}`),
 * })
 * ```
 */
export function useChatNotifications(options: UseChatNotificationsOptions = {}): UseChatNotificationsReturn {
  const { client, store, connect } = injectChatContext('useChatNotifications')
  const { activePeerId, displayName, previewLength = 100, icon, onClick, title } = options
  const { isSupported, permissionGranted, ensurePermissions, show } = useWebNotification({ requestPermissions: false })
  const visibility = useDocumentVisibility()

  const read = (): ChatNotificationPermission => isSupported.value ? Notification.permission : 'unsupported'
  const permission = shallowRef(read())
  const unreadTotal = computed(() => store.totalUnread)

  async function notify(peerId: UserId, message: ChatMessage): Promise<void> {
    if (!permissionGranted.value) return
    if (visibility.value !== 'hidden' && normaliseUserId(toValue(activePeerId)) === peerId) return
    const shown = await show({
      title: displayName?.(peerId) || 'New message',
      body: previewText(message.content, previewLength),
      icon: (typeof icon === 'function' ? icon(peerId) : icon) || undefined,
      // One notification per conversation: a newer message replaces the older one.
      tag: `vue-realtime-chat:${peerId}`,
    })
    shown?.addEventListener('click', () => {
      window.focus()
      shown.close()
      onClick?.(peerId)
    })
  }

  if (connect) {
    trackHeldConversations(client, store, conversation =>
      conversation.on('message', message => void notify(conversation.peerId, message)))
  }

  if (title !== false) {
    const base = title ?? defaultDocument?.title ?? ''
    useTitle(() => {
      const text = toValue(base)
      return unreadTotal.value ? `(${unreadTotal.value}) ${text}` : text
    })
  }

  return {
    permission,
    unreadTotal,
    async requestPermission() {
      await ensurePermissions().catch(() => undefined)
      permission.value = read()
      return permission.value
    },
  }
}
