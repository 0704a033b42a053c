// @vitest-environment node
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSSRApp, defineComponent, h } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { createPinia } from 'pinia'
import { createChat, useChat, useChatAuth, type ChatPluginOptions } from 'vue-realtime-chat'
import type { Scheduler } from 'vue-realtime-chat/core'
import { createChatServer, type ChatServer } from 'vue-realtime-chat/testing'

let server: ChatServer
beforeEach(async () => {
  server = await createChatServer()
})
afterEach(async () => {
  await server.close()
})

/** Real timers, a clock that can jump ahead, and the set of timers still pending. */
function recordingScheduler() {
  let skew = 0
  const pending = new Set<ReturnType<typeof setTimeout>>()
  const scheduler: Scheduler = {
    now: () => Date.now() + skew,
    setTimeout(fn, ms) {
      const handle = setTimeout(() => {
        pending.delete(handle)
        fn()
      }, ms)
      pending.add(handle)
      return handle
    },
    clearTimeout(handle) {
      pending.delete(handle as ReturnType<typeof setTimeout>)
      clearTimeout(handle as ReturnType<typeof setTimeout>)
    },
  }
  return {
    scheduler,
    pending,
    jump(ms: number) {
      skew += ms
    },
    /** Clear what a test left behind (only the non-passive control leaves anything). */
    clearAll() {
      for (const handle of pending) clearTimeout(handle)
      pending.clear()
    },
  }
}

const Page = defineComponent({
  setup() {
    const { status } = useChat(2)
    const { user } = useChatAuth()
    return () => h('main', { 'data-status': status.value }, user.value?.email ?? 'anonymous')
  },
})

async function renderWithTokens(options: ChatPluginOptions, accessTtlSeconds = 1) {
  const app = createSSRApp(Page)
  app.use(createPinia())
  const chat = createChat({ baseUrl: server.url, ...options })
  app.use(chat)
  chat.client!.auth.setTokens(server.issueTokens(1, { accessTtlSeconds }), { id: '1', email: 'student@example.com', role: 'student', first_name: 'Sam', last_name: 'Student' })
  const html = await renderToString(app)
  return { html, client: chat.client! }
}

function activeCount(kind: string): number {
  return process.getActiveResourcesInfo().filter(r => r === kind).length
}

describe('SSR: the server client is passive', () => {
  it('three renders with setTokens leave no timer and open no channel, even without destroy()', async () => {
    const clock = recordingScheduler()
    const channels: string[] = []
    const locks: string[] = []
    const options: ChatPluginOptions = {
      scheduler: clock.scheduler,
      createChannel: (name) => {
        channels.push(name)
        return { postMessage: () => {}, close: () => {}, onmessage: null }
      },
      locks: {
        request: (name) => {
          locks.push(name)
          return new Promise(() => {})
        },
      },
    }
    for (let i = 0; i < 3; i++) {
      const { html } = await renderWithTokens(options)
      expect(html).toContain('student@example.com')
    }
    expect(clock.pending.size).toBe(0)
    expect(channels).toEqual([])
    expect(locks).toEqual([])
  })

  it('control: the same render with passive: false does schedule (so the assertion above can fail)', async () => {
    const clock = recordingScheduler()
    const { client } = await renderWithTokens({ scheduler: clock.scheduler, crossTab: false, passive: false })
    expect(clock.pending.size).toBeGreaterThan(0)
    client.destroy()
    clock.clearAll()
  })

  it('an expired access token is never refreshed by the server client', async () => {
    const clock = recordingScheduler()
    // 30 s, not 1 s: `iat` is whole seconds, so a 1 s token can be expired before the first read.
    const { client } = await renderWithTokens({ scheduler: clock.scheduler }, 30)
    expect(await client.auth.getAccessToken()).toMatch(/^eyJ/)
    clock.jump(60 * 60_000)
    await expect(client.auth.getAccessToken()).rejects.toMatchObject({ name: 'ChatError', code: 'unauthorized' })
    await expect(client.auth.refresh()).rejects.toMatchObject({ name: 'ChatError' })
    expect(server.stats.refreshes).toBe(0)
    // Declining to refresh is not a logout: the browser's session stays untouched.
    expect(client.auth.getState().status).toBe('authenticated')
    expect(clock.pending.size).toBe(0)
  })

  it('with the default environment (global BroadcastChannel, real timers) no port or timer outlives three renders', async () => {
    const ports = activeCount('MessagePort')
    const timeouts = activeCount('Timeout')
    for (let i = 0; i < 3; i++) await renderWithTokens({})
    expect(activeCount('MessagePort')).toBe(ports)
    expect(activeCount('Timeout')).toBeLessThanOrEqual(timeouts)
  })
})
