/* eslint-disable vue/one-component-per-file -- small test components side by side */
import { createApp, defineComponent, h, watch, type App, type Component, type Ref, type WatchHandle } from 'vue'
import WS from 'ws'
import { createPinia, type Pinia } from 'pinia'
import { createChat, useChat, type ChatPluginInstance, type ChatPluginOptions, type PeerIdInput, type UseChatOptions, type UseChatReturn } from 'vue-realtime-chat'
import type { ChatServer } from 'vue-realtime-chat/testing'

export { waitFor } from '../support/wait'

/** Options every test app uses: a real test server, fast reconnects, a short replay-quiet window. */
export function testOptions(server: ChatServer, extra: ChatPluginOptions = {}): ChatPluginOptions {
  return {
    baseUrl: server.url,
    replayQuietMs: 60,
    reconnect: { baseDelayMs: 30, maxDelayMs: 150 },
    crossTab: false,
    ...extra,
  }
}

export interface MountedChat {
  app: App
  pinia: Pinia
  chat: ChatPluginInstance
  el: HTMLElement
  unmount(): void
}

/** A plain Vue app (no Nuxt): Pinia, the chat plugin, `root` mounted into a detached element. */
export function mountApp(root: Component, options: ChatPluginOptions): MountedChat {
  const app = createApp(root)
  const pinia = createPinia()
  app.use(pinia)
  const chat = createChat(options)
  app.use(chat)
  const el = document.createElement('div')
  document.body.appendChild(el)
  app.mount(el)
  return {
    app,
    pinia,
    chat,
    el,
    unmount() {
      app.unmount()
      el.remove()
    },
  }
}

/** A component that renders one conversation and hands its `useChat()` return to `capture`. */
export function chatView(capture: (chat: UseChatReturn) => void, options?: UseChatOptions): Component {
  return defineComponent({
    props: { peerId: { type: [Number, String], required: false, default: undefined } },
    setup(props) {
      const chat = useChat(() => props.peerId as PeerIdInput, options)
      capture(chat)
      return () => h('ul', { 'data-status': chat.status.value }, chat.messages.value.map(m =>
        h('li', { 'key': m.id, 'data-id': m.id, 'data-status': m.status, 'data-mine': String(m.isMine) }, m.content)))
    },
  })
}

/** Root rendering `ChatView` for each peer in `peers` (reactive list: shrinking it unmounts views). */
export function rootOf(view: Component, peers: Ref<PeerIdInput[]>): Component {
  return defineComponent({
    setup: () => () => h('div', peers.value.map((peerId, i) => h(view, { key: i, peerId }))),
  })
}

/** Resolve with the first value of `source()` that satisfies `predicate` (reactive: awaits the change, no polling). */
export function when<T>(source: () => T, predicate: (value: T) => boolean, message: string, timeout = 5000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop()
      reject(new Error(`when timed out: ${message} (last value: ${JSON.stringify(source())})`))
    }, timeout)
    // The immediate callback may run before `stop` exists: stop on the next microtask.
    const stop: WatchHandle = watch(source, (value) => {
      if (!predicate(value)) return
      clearTimeout(timer)
      queueMicrotask(() => stop())
      resolve(value)
    }, { immediate: true, flush: 'sync' })
  })
}

/** A raw protocol client (the `ws` package) acting as the peer. */
export async function rawPeer(server: ChatServer, userId: number, peerId: number): Promise<{ send(text: string): void; close(): Promise<void> }> {
  const { access } = server.issueTokens(userId)
  const socket = new WS(`${server.wsUrl}/ws/chat/${peerId}/?token=${access}`)
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  return {
    send: text => socket.send(JSON.stringify({ message: text })),
    close: () => new Promise<void>((resolve) => {
      if (socket.readyState === WS.CLOSED) return resolve()
      socket.once('close', () => resolve())
      socket.close()
    }),
  }
}
