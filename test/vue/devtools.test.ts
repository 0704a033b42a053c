import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, h, ref, type App } from 'vue'
import type { UseChatReturn } from 'vue-realtime-chat'
import { createChatServer, createMemoryStore, type ChatServer, type MessageStore } from 'vue-realtime-chat/testing'
import { chatView, mountApp, testOptions, waitFor, when, type MountedChat } from './helpers'

/** The global hook `@vue/devtools-api` announces plugins on; the devtools listen to it. */
interface DevtoolsHook {
  hook(name: 'devtools-plugin:setup', fn: (descriptor: { id: string; app: App; packageName?: string }, setup: (api: unknown) => void) => void): () => void
}
const devtoolsHook = (globalThis as unknown as { __VUE_DEVTOOLS_HOOK: DevtoolsHook }).__VUE_DEVTOOLS_HOOK

interface TreeNode { id: string; label: string; tags?: Array<{ label: string }> }
interface TimelineEntry { layerId: string; event: { title?: string; subtitle?: string; data: { kind: string; status?: string; from?: string | null; to?: string | null } } }

/** The part of the devtools plugin API the chat uses, recording what it is given. */
function fakeDevtoolsApi(app: App) {
  const handlers: { tree?: (payload: unknown) => void; state?: (payload: unknown) => void } = {}
  const recorded = { inspectors: [] as Array<{ id: string }>, layers: [] as Array<{ id: string }>, timeline: [] as TimelineEntry[], refreshes: 0 }
  const api = {
    now: () => Date.now(),
    addInspector: (options: { id: string }) => recorded.inspectors.push(options),
    addTimelineLayer: (options: { id: string }) => recorded.layers.push(options),
    addTimelineEvent: (options: TimelineEntry) => recorded.timeline.push(options),
    sendInspectorTree: () => recorded.refreshes++,
    sendInspectorState: () => recorded.refreshes++,
    on: {
      getInspectorTree: (fn: (payload: unknown) => void) => { handlers.tree = fn },
      getInspectorState: (fn: (payload: unknown) => void) => { handlers.state = fn },
    },
  }
  return {
    api,
    recorded,
    tree(inspectorId: string, filter = ''): TreeNode[] {
      const payload = { app, inspectorId, filter, rootNodes: [] as TreeNode[] }
      handlers.tree?.(payload)
      return payload.rootNodes
    },
    state(inspectorId: string, nodeId: string): Record<string, Array<{ key: string; value: unknown }>> {
      const payload = { app, inspectorId, nodeId, state: {} }
      handlers.state?.(payload)
      return payload.state
    },
  }
}

let server: ChatServer
let db: MessageStore
const mounted: MountedChat[] = []
const stops: Array<() => void> = []

beforeEach(async () => {
  db = createMemoryStore()
  server = await createChatServer({ store: db })
})

afterEach(async () => {
  for (const stop of stops.splice(0)) stop()
  for (const m of mounted.splice(0)) m.unmount()
  await server.close()
})

describe('Vue devtools plugin', () => {
  it('registers for the app and shows each held conversation, its messages and a timeline, never a token', async () => {
    const announced: Array<{ descriptor: { id: string; app: App; packageName?: string }; setup: (api: unknown) => void }> = []
    stops.push(devtoolsHook.hook('devtools-plugin:setup', (descriptor, setup) => {
      if (descriptor.packageName === 'vue-realtime-chat') announced.push({ descriptor, setup })
    }))
    await db.append({ sender_id: 2, reciever_id: 1, content: 'hello from the history', createdAt: Date.now() - 5000, is_read: false })

    let chat: UseChatReturn | undefined
    const generation = ref(0)
    const view = chatView((c) => { chat = c })
    const m = mountApp(defineComponent({ setup: () => () => h(view, { key: generation.value, peerId: 2 }) }), testOptions(server))
    mounted.push(m)
    await waitFor(() => announced.length > 0, 'plugin announced')
    expect(announced).toHaveLength(1)
    const { descriptor, setup } = announced[0]!
    expect(descriptor.app).toBe(m.app)

    // The devtools connect: the chat sets up its inspector and timeline layer.
    const devtools = fakeDevtoolsApi(m.app)
    setup(devtools.api)
    const id = descriptor.id
    expect(devtools.recorded.inspectors.map(i => i.id)).toEqual([id])
    expect(devtools.recorded.layers.map(l => l.id)).toEqual([id])
    expect(devtools.tree(id).map(n => n.id)).toEqual(['2'])

    const tokens = server.issueTokens(1)
    m.chat.client!.auth.setTokens(tokens)
    await when(() => chat!.status.value, s => s === 'live', 'live')
    const sent = chat!.send('a reply')
    expect(sent.ok).toBe(true)
    await when(() => chat!.messages.value.at(-1)?.status, s => s === 'sent', 'reply sent')
    const own = chat!.messages.value.at(-1)!

    const [node] = devtools.tree(id)
    expect(node).toMatchObject({ id: '2', label: 'peer 2', tags: [{ label: 'live' }] })
    expect(devtools.tree(id, '3')).toEqual([])
    const state = devtools.state(id, '2')
    expect(state.conversation).toContainEqual({ key: 'status', value: 'live' })
    expect(state.conversation).toContainEqual({ key: 'attempt', value: 0 })
    expect(state['messages by state']).toContainEqual({ key: 'sent', value: 2 })
    expect(state['messages (newest 2 of 2)']?.map(e => [e.key, (e.value as { status: string; content: string }).content, (e.value as { status: string }).status]))
      .toEqual([[chat!.messages.value[0]!.id, 'hello from the history', 'sent'], [own.id, 'a reply', 'sent']])
    expect(devtools.state('another-inspector', '2')).toEqual({})

    const events = devtools.recorded.timeline
    expect(events.every(e => e.layerId === id)).toBe(true)
    const statuses = events.filter(e => e.event.data.kind === 'status').map(e => e.event.data.status)
    expect(statuses.slice(-2)).toEqual(['syncing', 'live'])
    expect(events.filter(e => e.event.data.kind === 'replay')).toHaveLength(1)
    const replay = events.find(e => e.event.data.kind === 'replay')!.event.data as unknown as { frames: number; inserted: number; requeued: number; removed: number }
    expect(replay.frames).toBeGreaterThan(0)
    expect([replay.inserted, replay.requeued, replay.removed]).toEqual([replay.frames, 0, 0])
    const transitions = events.filter(e => e.event.data.kind === 'transition').map(e => e.event.data as unknown as { to: string; reason: string })
    expect(transitions.at(-1)?.to).toBe('live')
    expect(transitions.every(t => typeof t.reason === 'string' && t.reason.length > 0)).toBe(true)
    const sends = events.filter(e => e.event.data.kind === 'send').map(e => [e.event.data.from, e.event.data.to])
    expect(sends[0]?.[0]).toBeNull()
    expect(sends.at(-1)).toEqual(['pending', 'sent'])
    expect(devtools.recorded.refreshes).toBeGreaterThan(0)

    const everything = JSON.stringify({ events, tree: devtools.tree(id), state })
    for (const secret of [tokens.access, tokens.refresh, 'token=']) expect(everything).not.toContain(secret)

    // Released and acquired again within one tick: a new conversation, still on the timeline.
    generation.value++
    await when(() => chat!.status.value, s => s === 'live', 'live again')
    const before = events.length
    chat!.send('after the remount')
    await when(() => chat!.messages.value.at(-1)?.status, s => s === 'sent', 'second reply sent')
    expect(events.slice(before).filter(e => e.event.data.kind === 'send').map(e => e.event.data.to)).toContain('sent')

    // Released conversations leave the inspector.
    m.unmount()
    mounted.splice(0)
    expect(devtools.tree(id)).toEqual([])
  })
})
