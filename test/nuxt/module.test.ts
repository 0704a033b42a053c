import { fileURLToPath } from 'node:url'
import { $fetch, setup } from '@nuxt/test-utils/e2e'
import { afterAll, describe, expect, it } from 'vitest'
import { createChatServer } from 'vue-realtime-chat/testing'

// A real chat server: the SSR assertions count its handshakes, which must stay at zero.
const chat = await createChatServer({ pingIntervalMs: 0 })
afterAll(() => chat.close())

/** The `__NUXT_DATA__` payload script of a rendered page. */
function payloadOf(html: string): string {
  const match = /<script[^>]*id="__NUXT_DATA__"[^>]*>([\s\S]*?)<\/script>/.exec(html)
  if (!match?.[1]) throw new Error('no __NUXT_DATA__ payload in the page')
  return match[1]
}

function textOf(html: string, id: string): string {
  const match = new RegExp(`<p id="${id}">([^<]*)</p>`).exec(html)
  if (!match) throw new Error(`no #${id} in the page`)
  return match[1]!
}

describe('vue-realtime-chat/nuxt', async () => {
  await setup({
    rootDir: fileURLToPath(new URL('./fixtures/basic', import.meta.url)),
    server: true,
    browser: false,
    env: {
      NUXT_PUBLIC_CHAT_BASE_URL: chat.url,
      NUXT_PUBLIC_CHAT_RECONNECT_MAX_DELAY_MS: '7000',
    },
  })

  it('loads, auto-imports the composables and renders a page that uses them', async () => {
    const html = await $fetch<string>('/')
    expect(textOf(html, 'imports')).toBe('function/function/function')
    expect(textOf(html, 'status')).toBe('idle')
    expect(textOf(html, 'messages')).toBe('0')
    expect(textOf(html, 'auth')).toBe('anonymous:')
  })

  it('merges options into runtimeConfig.public.chat and lets NUXT_PUBLIC_CHAT_* override them at run time', async () => {
    const html = await $fetch<string>('/')
    expect(textOf(html, 'base-url')).toBe(chat.url)
    expect(textOf(html, 'max-delay')).toBe('7000')
    expect(textOf(html, 'typing')).toBe('true')
    // nuxt.config turns typing on: the client gets the typing extension the build imported, and no other
    expect(textOf(html, 'extensions')).toBe('typing,-')
    // Defaults from the module fill what the app did not set.
    expect(textOf(html, 'quiet')).toBe('300')
    expect(textOf(html, 'storage')).toBe('local')
  })

  it('calls the chat:options hook once per app before creating the client, and the client uses what it set', async () => {
    // once, on the server, with the runtime config already applied; no request without a login
    expect(textOf(await $fetch<string>('/'), 'hook')).toBe('1:false:7000:0')
    // the server-side login went through the fetch the hook put in
    const loginsBefore = chat.stats.logins
    expect(textOf(await $fetch<string>('/?login=1'), 'hook')).toBe('1:false:7000:1')
    expect(chat.stats.logins).toBe(loginsBefore + 1)
  })

  it('renders a signed-in page on the server without opening a socket or leaking a token', async () => {
    const loginsBefore = chat.stats.logins
    const html = await $fetch<string>('/?login=1')
    // The server-side login really happened against the chat server...
    expect(chat.stats.logins).toBe(loginsBefore + 1)
    expect(textOf(html, 'auth')).toBe('authenticated:1')
    // ...yet rendering useChat(2) opened nothing.
    expect(textOf(html, 'status')).toBe('idle')
    expect(chat.stats.handshakes).toBe(0)
    expect(chat.openSockets).toBe(0)
    const payload = payloadOf(html)
    expect(payload).toContain('vue-realtime-chat')
    expect(payload).toContain('"authenticated"')
    expect(html).not.toMatch(/eyJ[\w-]+\.[\w-]+/)
    expect(payload).not.toMatch(/"(tokens|access|refresh|token)"/)
  })

  it('never opens a socket across repeated server renders', async () => {
    await Promise.all([$fetch('/'), $fetch('/?login=1'), $fetch('/')])
    expect(chat.stats.handshakes).toBe(0)
    expect(chat.openSockets).toBe(0)
  })
})
