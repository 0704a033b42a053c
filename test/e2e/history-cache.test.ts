import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { historyFixture, PAT } from './history-fixture'

// The playground turns the history cache on: real IndexedDB in real Chromium.
const HISTORY = 500

const fx = historyFixture(HISTORY, i => ({ content: `message ${i % 7 === 0 ? 'same text' : i}`, atMs: i * 60_000, isRead: false }))

async function signedInChat(): Promise<Page> {
  const page = await fx.signedInPage(30_000)
  await page.goto(`${fx.playground.url}/?with=${PAT.id}`)
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
    fx.chat.configure({ historyReadDelayMs: 1500 })
    await page.reload()
    await page.locator(`[data-testid=message-count][data-source=cache][data-count="${HISTORY}"]`).waitFor()
    expect(await page.getByTestId('connection-status').getAttribute('data-status')).not.toBe('live')
    expect(await page.getByTestId('message').last().innerText()).toBe(before)
    await page.locator('[data-testid=message-count][data-source=replay]').waitFor()
    await page.locator('[data-testid=connection-status][data-status=live]').waitFor()
    expect(await page.getByTestId('message-count').getAttribute('data-count')).toBe(String(HISTORY))
    expect(await page.getByTestId('message').last().innerText()).toBe(before)
    fx.chat.configure({ historyReadDelayMs: 0 })
  })

  it('opened with the server down: the cached history is there, and logout removes it', async () => {
    const page = await signedInChat()
    await expect.poll(() => cachedRows(page), { timeout: 10_000 }).toBe(HISTORY)
    await fx.chat.stop()
    try {
      await page.reload()
      await page.locator(`[data-testid=message-count][data-source=cache][data-count="${HISTORY}"]`).waitFor()
      expect(await page.getByTestId('connection-status').getAttribute('data-status')).not.toBe('live')
    }
    finally {
      await fx.chat.start()
    }
    await page.locator('[data-testid=connection-status][data-status=live]').waitFor()
    await page.getByTestId('logout').click()
    await expect.poll(() => cachedRows(page), { timeout: 10_000 }).toBe(0)
  })

  it('a history cache whose code does not load (offline first visit, a removed deploy): the conversation opens without it, and nothing is thrown into the page', async () => {
    const page = await fx.signedInPage(30_000)
    const errors: string[] = []
    page.on('pageerror', error => errors.push(error.message))
    // The cache's chunk is the one that bundles idb-keyval; every other file loads as usual.
    let blocked = 0
    await page.route('**/_nuxt/*.js', async (route) => {
      const response = await route.fetch()
      if ((await response.text()).includes('createObjectStore')) {
        blocked++
        return route.abort('internetdisconnected')
      }
      return route.fulfill({ response })
    })
    await page.goto(`${fx.playground.url}/?with=${PAT.id}`)
    await page.locator(`[data-testid=message-count][data-source=replay][data-count="${HISTORY}"]`).waitFor()
    await page.locator('[data-testid=connection-status][data-status=live]').waitFor()
    const text = `sent without a cache ${Math.random().toString(36).slice(2, 8)}`
    await page.getByTestId('composer').fill(text)
    await page.getByTestId('send').click()
    await page.locator('[data-testid=message][data-status=sent]', { hasText: text }).waitFor()
    expect(blocked).toBeGreaterThan(0)
    expect(await cachedRows(page)).toBe(0)
    expect(errors).toEqual([])
  })
})
