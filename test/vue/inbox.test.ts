/* eslint-disable vue/one-component-per-file -- small test components side by side */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, h, nextTick, ref, type Ref } from 'vue'
import { useChat, useChatInbox, type PeerIdInput, type UseChatInboxOptions, type UseChatInboxReturn } from 'vue-realtime-chat'
import { createChatServer, createMemoryStore, DEFAULT_USERS, type ChatServer, type MessageStore, type TestUser } from 'vue-realtime-chat/testing'
import { mountApp, rawPeer, testOptions, waitFor, when, type MountedChat } from './helpers'

const USERS: TestUser[] = [
  ...DEFAULT_USERS,
  { id: 4, email: 'student2@example.com', password: 'student234', role: 'student', first_name: 'Casey', last_name: 'Student' },
  { id: 5, email: 'parent3@example.com', password: 'parent345', role: 'parent', first_name: 'Robin', last_name: 'Parent' },
]

let server: ChatServer
let db: MessageStore
const mounted: MountedChat[] = []

beforeEach(async () => {
  db = createMemoryStore()
  server = await createChatServer({ store: db, users: USERS })
})

afterEach(async () => {
  for (const m of mounted.splice(0)) m.unmount()
  await server.close()
})

/** Student 1's inbox over `peers`, plus a `useChat` window for each peer in `windows`. */
function mountInbox(peers: Ref<PeerIdInput[]>, options?: UseChatInboxOptions, windows: PeerIdInput[] = []) {
  let inbox: UseChatInboxReturn | undefined
  const Inbox = defineComponent({
    setup() {
      inbox = useChatInbox(peers, options)
      return () => h('ol', inbox!.entries.value.map(e => h('li', { 'key': e.peerId, 'data-peer': e.peerId }, String(e.unreadCount))))
    },
  })
  const Window = defineComponent({
    props: { peerId: { type: [String, Number], required: true } },
    setup(props) {
      useChat(() => props.peerId)
      return () => h('section')
    },
  })
  const shown = ref(windows)
  const inboxShown = ref(true)
  const m = mountApp(defineComponent({ setup: () => () => h('div', [inboxShown.value ? h(Inbox) : null, ...shown.value.map(id => h(Window, { key: String(id), peerId: id! }))]) }), testOptions(server))
  mounted.push(m)
  m.chat.client!.auth.setTokens(server.issueTokens(1))
  return { ...m, inbox: inbox!, shown, inboxShown }
}

const order = (inbox: UseChatInboxReturn) => inbox.entries.value.map(e => e.peerId)
const allLive = (inbox: UseChatInboxReturn, ids: string[]) =>
  when(() => inbox.entries.value.filter(e => ids.includes(e.peerId)).map(e => e.status), s => s.length === ids.length && s.every(x => x === 'live'), `${ids.join(',')} live`)

async function seed(from: number, to: number, texts: string[], at: number): Promise<void> {
  for (const [i, content] of texts.entries()) await db.append({ sender_id: from, reciever_id: to, content, createdAt: at + i, is_read: false })
}

describe('useChatInbox against the real test server', () => {
  it('summarises three peers sorted by last activity, and re-sorts on a new message', async () => {
    const t = Date.now() - 60_000
    await seed(2, 1, ['hi from Pat'], t)
    await seed(1, 2, ['my answer to Pat'], t + 100)
    await seed(3, 1, ['one', 'two'], t + 1000)
    await seed(4, 1, ['a', 'b', 'c'], t + 2000)
    const { inbox, el } = mountInbox(ref([2, '3', 4]))
    await allLive(inbox, ['2', '3', '4'])

    expect(order(inbox)).toEqual(['4', '3', '2'])
    expect(inbox.entries.value.map(e => e.unreadCount)).toEqual([3, 2, 1])
    expect(inbox.unreadTotal.value).toBe(6)
    expect(inbox.entries.value.map(e => e.lastMessage?.content)).toEqual(['c', 'two', 'my answer to Pat'])
    expect(inbox.entries.value.every(e => e.open && !e.typing && Object.isFrozen(e))).toBe(true)
    await nextTick()
    expect([...el.querySelectorAll('li')].map(li => li.dataset.peer)).toEqual(['4', '3', '2'])

    const before = inbox.entries.value.find(e => e.peerId === '4')
    const pat = await rawPeer(server, 2, 1)
    pat.send('Pat again')
    await when(() => order(inbox)[0], id => id === '2', 'Pat on top')
    await pat.close()
    expect(order(inbox)).toEqual(['2', '4', '3'])
    expect(inbox.entries.value[0]).toMatchObject({ unreadCount: 2, lastMessage: { content: 'Pat again', isMine: false } })
    expect(inbox.unreadTotal.value).toBe(7)
    // An entry whose conversation did not change is the same object (rows keyed by peer do not re-render).
    expect(inbox.entries.value.find(e => e.peerId === '4')).toBe(before)
    await nextTick()
    expect([...el.querySelectorAll('li')].map(li => li.dataset.peer)).toEqual(['2', '4', '3'])
  })

  it('opens a socket for the first maxOpen peers of the list only, and moves them when the list changes', async () => {
    const peers = ref<PeerIdInput[]>([2, 3, 4, 5])
    const { inbox } = mountInbox(peers, { maxOpen: 2 })
    await allLive(inbox, ['2', '3'])
    expect(server.openSockets).toBe(2)
    expect(server.stats.handshakes).toBe(2)
    expect(inbox.entries.value.filter(e => !e.open).map(e => [e.peerId, e.status])).toEqual([['4', 'idle'], ['5', 'idle']])

    peers.value = [5, 2, 3, 4]
    await allLive(inbox, ['5', '2'])
    await when(() => inbox.entries.value.find(e => e.peerId === '3')?.open, open => open === false, 'peer 3 let go')
    await waitFor(() => server.openSockets === 2, 'two sockets again')
    expect(server.stats.handshakes).toBe(3)
  })

  it('shows a peer beyond maxOpen live while another component holds it, without a second socket', async () => {
    const { inbox, shown } = mountInbox(ref([2, 3, 4]), { maxOpen: 1 }, [4])
    await allLive(inbox, ['2', '4'])
    expect(inbox.entries.value.find(e => e.peerId === '3')?.open).toBe(false)
    expect(server.openSockets).toBe(2)

    const casey = await rawPeer(server, 4, 1)
    casey.send('from the window')
    await when(() => order(inbox)[0], id => id === '4', 'Casey on top')
    await casey.close()
    expect(inbox.entries.value[0]?.unreadCount).toBe(1)

    shown.value = []
    await when(() => inbox.entries.value.find(e => e.peerId === '4')?.open, open => open === false, 'window closed')
    expect(inbox.entries.value.map(e => e.peerId)).toEqual(['2', '3', '4'])
    expect(inbox.unreadTotal.value).toBe(0)
  })

  it('drops duplicate and invalid ids, and releases its sockets when it unmounts', async () => {
    const m = mountInbox(ref([2, '2', ' 2 ', 'abc', null, -1, 3]), {}, [3])
    await allLive(m.inbox, ['2', '3'])
    expect(order(m.inbox)).toEqual(['2', '3'])
    expect(server.openSockets).toBe(2)
    m.inboxShown.value = false
    // Peer 3 stays open: the window still holds it.
    await waitFor(() => server.openSockets === 1, 'peer 2 closed')
    expect(Object.keys(m.pinia.state.value['vue-realtime-chat']?.conversations ?? {})).toEqual(['3'])
  })
})
