import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createChatServer, createMemoryStore } from '../../src/testing/index'
import type { ChatServer } from '../../src/testing/index'
import { launchBrowser, Playground, signIn, USERS } from './harness'

// The playground turns the history cache on: real IndexedDB in real Chromium.
const HISTORY = 500
const SAM = USERS.student
const PAT = USERS.parent

let chat: ChatServer
let playground: Playground
let browser: Browser
const contexts: BrowserContext[] = []

beforeAll(async () => {
  const store = createMemoryStore()
  const start = Date.UTC(2025, 8, 1, 7, 30)
  for (let i = 0; i < HISTORY; i++) {
    const mine = i % 3 === 0
    await store.append({ sender_id: mine ? SAM.id : PAT.id, reciever_id: mine ? PAT.id : SAM.id, content: `message ${i % 7 === 0 ? 'same text' : i}`, createdAt: start + i * 60_000, is_read: false })
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

async function signedInChat(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 640 } })
  context.setDefaultTimeout(30_000)
  contexts.push(context)
  const page = await context.newPage()
  await signIn(page, playground.url, 'student')
  await page.goto(`${playground.url}/?with=${PAT.id}`)
  await page.locator('[data-testid=connection-status][data-status=live]').waitFor()
  await page.locator(`[data-testid=message-count][data-count="${HISTORY}"]`).waitFor()
  return page
}

/** Rows of the conversation the cache holds in IndexedDB (read in the page). */
function cachedRows(page: Page): Promise<number> {
  return page.evaluate(() => new Promise<number>((resolve, reject) => {
    const open = indexedDB.open('vue-realtime-chat')
    open.onerror = () => reject(open.error)
    open.onsuccess = () => {
      const db = open.result
      if (!db.objectStoreNames.contains('history')) return resolve(0)
      const all = db.transaction('history').objectStore('history').getAll()
      all.onsuccess = () => resolve((all.result as Array<{ rows?: unknown[] }>).reduce((n, v) => n + (v.rows?.length ?? 0), 0))
      all.onerror = () => reject(all.error)
    }
  }))
}

describe('history cache in the browser (IndexedDB)', () => {
  it('a reload shows the cached history before the server sends it, then the replay changes nothing on screen', async () => {
    const page = await signedInChat()
    await expect.poll(() => cachedRows(page), { timeout: 10_000 }).toBe(HISTORY)
    const newest = page.getByTestId('message').last()
    const before = await newest.innerText()
    // A slow history read: the cache is on screen long before the first frame.
    chat.configure({ historyReadDelayMs: 1500 })
    await page.reload()
    await page.locator(`[data-testid=message-count][data-source=cache][data-count="${HISTORY}"]`).waitFor()
    expect(await page.getByTestId('connection-status').getAttribute('data-status')).not.toBe('live')
    expect(await page.getByTestId('message').last().innerText()).toBe(before)
    await page.locator('[data-testid=message-count][data-source=replay]').waitFor()
    await page.locator('[data-testid=connection-status][data-status=live]').waitFor()
    expect(await page.getByTestId('message-count').getAttribute('data-count')).toBe(String(HISTORY))
    expect(await page.getByTestId('message').last().innerText()).toBe(before)
    chat.configure({ historyReadDelayMs: 0 })
  })

  it('opened with the server down: the cached history is there, and logout removes it', async () => {
    const page = await signedInChat()
    await expect.poll(() => cachedRows(page), { timeout: 10_000 }).toBe(HISTORY)
    await chat.stop()
    try {
      await page.reload()
      await page.locator(`[data-testid=message-count][data-source=cache][data-count="${HISTORY}"]`).waitFor()
      expect(await page.getByTestId('connection-status').getAttribute('data-status')).not.toBe('live')
    }
    finally {
      await chat.start()
    }
    await page.locator('[data-testid=connection-status][data-status=live]').waitFor()
    await page.getByTestId('logout').click()
    await expect.poll(() => cachedRows(page), { timeout: 10_000 }).toBe(0)
  })
})
