/**
 * For e2e files about a long conversation: the library's test server holding N messages between
 * Sam (student) and Pat (parent), the built playground pointed at it, and Chromium; each page signs
 * Sam in in a context of its own. Registers its own beforeAll/afterAll.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { createChatServer, createMemoryStore } from '../../src/testing/index'
import type { ChatServer } from '../../src/testing/index'
import { launchBrowser, Playground, signIn, USERS } from './harness'

export const SAM = USERS.student
export const PAT = USERS.parent

/** Message `i` of the history: its text, when it was sent (ms after the first), whether it was read. */
export type HistoryMessage = (i: number) => { content: string, atMs: number, isRead: boolean }

export interface HistoryFixture {
  readonly chat: ChatServer
  readonly playground: Playground
  /** A fresh browser context with Sam signed in (closed after the file). */
  signedInPage(timeoutMs: number): Promise<Page>
}

export function historyFixture(count: number, message: HistoryMessage): HistoryFixture {
  let chat: ChatServer | undefined
  let playground: Playground | undefined
  let browser: Browser | undefined
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    const store = createMemoryStore()
    const start = Date.UTC(2025, 8, 1, 7, 30)
    for (let i = 0; i < count; i++) {
      const mine = i % 3 === 0
      const m = message(i)
      await store.append({ sender_id: mine ? SAM.id : PAT.id, reciever_id: mine ? PAT.id : SAM.id, content: m.content, createdAt: start + m.atMs, is_read: m.isRead })
    }
    chat = await createChatServer({ store })
    playground = new Playground({ accessTtlSeconds: 3600, backendUrl: chat.url })
    ;[browser] = await Promise.all([launchBrowser(), playground.start()])
  })

  afterAll(async () => {
    await Promise.all(contexts.map(c => c.close().catch(() => {})))
    await browser?.close()
    await playground?.dispose()
    await chat?.close()
  })

  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('historyFixture: used before its beforeAll ran')
    return value
  }
  return {
    get chat() {
      return ready(chat)
    },
    get playground() {
      return ready(playground)
    },
    async signedInPage(timeoutMs) {
      const context = await ready(browser).newContext({ viewport: { width: 1000, height: 640 } })
      context.setDefaultTimeout(timeoutMs)
      contexts.push(context)
      const page = await context.newPage()
      await signIn(page, ready(playground).url, 'student')
      return page
    },
  }
}
