/* eslint-disable vue/one-component-per-file -- small test components side by side */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import { useChat, useChatNotifications, type UseChatNotificationsOptions, type UseChatNotificationsReturn, type UseChatReturn } from 'vue-realtime-chat'
import { createChatServer, createMemoryStore, type ChatServer, type MessageStore } from 'vue-realtime-chat/testing'
import { previewText } from '../../src/vue/useChatNotifications'
import { mountApp, testOptions, waitFor, when, type MountedChat } from './helpers'

let server: ChatServer
let db: MessageStore
const mounted: MountedChat[] = []

beforeEach(async () => {
  db = createMemoryStore()
  server = await createChatServer({ store: db })
  document.title = 'My school'
})

afterEach(async () => {
  for (const m of mounted.splice(0)) m.unmount()
  await server.close()
})

function mountNotifications(options: UseChatNotificationsOptions, peers = [2, 3]) {
  let notifications: UseChatNotificationsReturn | undefined
  const chats: UseChatReturn[] = []
  const shown = ref(true)
  const Chat = defineComponent({
    props: { peerId: { type: Number, required: true } },
    setup(props) {
      chats.push(useChat(() => props.peerId))
      return () => h('section')
    },
  })
  const Root = defineComponent({
    setup() {
      notifications = useChatNotifications(options)
      return () => h('div', shown.value ? peers.map(id => h(Chat, { key: id, peerId: id })) : [])
    },
  })
  const m = mountApp(Root, testOptions(server))
  mounted.push(m)
  m.chat.client!.auth.setTokens(server.issueTokens(1))
  return { ...m, notifications: notifications!, chats, shown }
}

describe('useChatNotifications', () => {
  it('is a state, not an error, where the browser has no Notification API', async () => {
    expect('Notification' in window).toBe(false)
    const { notifications } = mountNotifications({})
    expect(notifications.permission.value).toBe('unsupported')
    await expect(notifications.requestPermission()).resolves.toBe('unsupported')
    expect(notifications.permission.value).toBe('unsupported')
  })

  it('puts the unread total of every held conversation in front of the title and restores it on unmount', async () => {
    const t = Date.now() - 10_000
    await db.append({ sender_id: 2, reciever_id: 1, content: 'one', createdAt: t, is_read: false })
    await db.append({ sender_id: 2, reciever_id: 1, content: 'two', createdAt: t + 1, is_read: false })
    await db.append({ sender_id: 3, reciever_id: 1, content: 'three', createdAt: t + 2, is_read: false })
    const m = mountNotifications({})
    await when(() => m.notifications.unreadTotal.value, n => n === 3, 'three unread')
    await waitFor(() => document.title === '(3) My school', 'title with the count')

    m.chats[0]!.markRead()
    await waitFor(() => document.title === '(1) My school', 'title after reading peer 2')
    m.shown.value = false
    await waitFor(() => document.title === 'My school', 'no held conversation, no count')

    mounted.splice(mounted.indexOf(m), 1)
    m.unmount()
    expect(document.title).toBe('My school')
  })

  it('takes the base title from an option, or leaves the title alone', async () => {
    await db.append({ sender_id: 2, reciever_id: 1, content: 'hi', createdAt: Date.now() - 1000, is_read: false })
    const base = ref('Inbox')
    const m = mountNotifications({ title: base }, [2])
    await waitFor(() => document.title === '(1) Inbox', 'count in front of the option')
    base.value = 'Messages'
    await waitFor(() => document.title === '(1) Messages', 'follows the option')
    mounted.splice(mounted.indexOf(m), 1)
    m.unmount()

    document.title = 'Untouched'
    const other = mountNotifications({ title: false }, [2])
    await when(() => other.notifications.unreadTotal.value, n => n === 1, 'one unread')
    expect(document.title).toBe('Untouched')
  })

  it('previews plain text: whitespace collapsed, cut at a code point, nothing with 0', () => {
    expect(previewText('  hello\n\n  <b>world</b>  ', 100)).toBe('hello <b>world</b>')
    expect(previewText('abcdef', 4)).toBe('abc…')
    expect(previewText('abcd', 4)).toBe('abcd')
    expect(previewText('😀😀😀😀😀', 3)).toBe('😀😀…')
    expect(previewText('secret', 0)).toBe('')
  })
})
