/**
 * In-page harness of the browser-burst scenario, bundled with the core into the page script: it
 * connects (the core's client, or a raw browser WebSocket for the floor), resolves once live, and
 * then counts until all N burst messages are visible.
 */
import { createChatClient } from '../../src/core/index'
import type { ConversationSnapshot, WebSocketConstructor } from '../../src/core/index'

export type BrowserCandidate = 'floor' | 'microtask' | 'timeout'

export interface PageArgs {
  candidate: BrowserCandidate
  n: number
  baseUrl: string
  wsUrl: string
  peerId: number
  tokens: { access: string; refresh: string }
  timeoutMs: number
}

export interface PageDone {
  /** Epoch ms (performance.timeOrigin-based, comparable with Node's) when all N were visible. */
  doneAt: number
  notifications: number
  frames: number
}

export interface BurstWindow {
  burstSetup(args: PageArgs): Promise<void>
  burstDone(): Promise<PageDone>
}

let donePromise: Promise<PageDone> = Promise.reject(new Error('browser-burst: burstSetup() first'))
donePromise.catch(() => {})

function burstSetup(args: PageArgs): Promise<void> {
  const state = { counting: false, notifications: 0, frames: 0 }
  let finish: (value: PageDone) => void = () => {}
  donePromise = new Promise<PageDone>((resolve, reject) => {
    finish = resolve
    setTimeout(() => reject(new Error(`browser-burst: ${args.candidate} did not show ${args.n} messages in ${args.timeoutMs} ms`)), args.timeoutMs)
  })
  const done = () => finish({ doneAt: performance.timeOrigin + performance.now(), notifications: state.notifications, frames: state.frames })

  if (args.candidate === 'floor') {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`${args.wsUrl}/ws/chat/${args.peerId}/?token=${args.tokens.access}`)
      socket.onopen = () => {
        state.counting = true
        resolve()
      }
      socket.onerror = () => reject(new Error('browser-burst: raw socket failed'))
      socket.onmessage = (event) => {
        JSON.parse(String(event.data))
        state.frames++
        state.notifications++
        if (state.frames === args.n) done()
      }
    })
  }

  /** Counts message events; its listener is registered before the core's own. */
  class CountingSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols)
      this.addEventListener('message', () => {
        if (state.counting) state.frames++
      })
    }
  }
  const client = createChatClient({
    baseUrl: args.baseUrl,
    crossTab: false,
    WebSocket: CountingSocket as unknown as WebSocketConstructor,
    notify: args.candidate,
  })
  client.auth.setTokens(args.tokens)
  const conversation = client.conversation(args.peerId)
  return new Promise((resolve) => {
    const check = (snapshot: ConversationSnapshot) => {
      if (!state.counting) {
        if (snapshot.status !== 'live') return
        state.counting = true
        resolve()
      }
      else if (snapshot.messages.length >= args.n) done()
    }
    conversation.subscribe(() => {
      if (state.counting) state.notifications++
      check(conversation.getSnapshot())
    })
    check(conversation.getSnapshot())
  })
}

const w = globalThis as unknown as BurstWindow
w.burstSetup = burstSetup
w.burstDone = () => donePromise
