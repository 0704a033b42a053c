import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { historyFixture, PAT, SAM } from './history-fixture'

// The playground turns the history cache on: real IndexedDB in real Chromium.
const HISTORY = 500

const fx = historyFixture(HISTORY, i => ({ content: `message ${i % 7 === 0 ? 'same text' : i}`, atMs: i * 60_000, isRead: false }))

/** Messages the server holds between Sam and Pat: the history, and what earlier tests sent. */
async function stored(): Promise<number> {
  return (await fx.chat.log(SAM.id, PAT.id)).length
}

async function signedInChat(): Promise<Page> {
  const page = await fx.signedInPage(30_000)
  await page.goto(`${fx.playground.url}/?with=${PAT.id}`)
  await page.locator('[data-testid=connection-status][data-status=live]').waitFor()
  await page.locator(`[data-testid=message-count][data-count="${await stored()}"]`).waitFor()
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
    const n = await stored()
    await expect.poll(() => cachedRows(page), { timeout: 10_000 }).toBe(n)
    const newest = page.getByTestId('message').last()
    const before = await newest.innerText()
    // A slow history read: the cache is on screen long before the first frame.
    fx.chat.configure({ historyReadDelayMs: 1500 })
    await page.reload()
    await page.locator(`[data-testid=message-count][data-source=cache][data-count="${n}"]`).waitFor()
    expect(await page.getByTestId('connection-status').getAttribute('data-status')).not.toBe('live')
    expect(await page.getByTestId('message').last().innerText()).toBe(before)
    await page.locator('[data-testid=message-count][data-source=replay]').waitFor()
    await page.locator('[data-testid=connection-status][data-status=live]').waitFor()
    expect(await page.getByTestId('message-count').getAttribute('data-count')).toBe(String(n))
    expect(await page.getByTestId('message').last().innerText()).toBe(before)
    fx.chat.configure({ historyReadDelayMs: 0 })
  })

  it('opened with the server down: the cached history is there, and logout removes it', async () => {
    const page = await signedInChat()
    const n = await stored()
    await expect.poll(() => cachedRows(page), { timeout: 10_000 }).toBe(n)
    await fx.chat.stop()
    try {
      await page.reload()
      await page.locator(`[data-testid=message-count][data-source=cache][data-count="${n}"]`).waitFor()
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
    await page.locator(`[data-testid=message-count][data-source=replay][data-count="${await stored()}"]`).waitFor()
    await page.locator('[data-testid=connection-status][data-status=live]').waitFor()
    const text = `sent without a cache ${Math.random().toString(36).slice(2, 8)}`
    await page.getByTestId('composer').fill(text)
    await page.getByTestId('send').click()
    await page.locator('[data-testid=message][data-status=sent]', { hasText: text }).waitFor()
    expect(blocked).toBeGreaterThan(0)
    expect(await cachedRows(page)).toBe(0)
    expect(errors).toEqual([])
  })

  it('opened offline: the cached history, a send queued after it while the status says offline, sent once back online', async () => {
    const page = await signedInChat()
    const n = await stored()
    await expect.poll(() => cachedRows(page), { timeout: 10_000 }).toBe(n)
    // The app loaded online; the conversation opens while the browser is offline.
    await page.goto(fx.playground.url)
    await page.getByPlaceholder('Peer user id').waitFor()
    await page.context().setOffline(true)
    try {
      await page.getByPlaceholder('Peer user id').fill(String(PAT.id))
      await page.getByRole('button', { name: 'Open' }).click()
      await page.locator(`[data-testid=message-count][data-source=cache][data-count="${n}"]`).waitFor()
      await page.locator('[data-testid=connection-status][data-status=offline]').waitFor()
      const text = `sent while offline ${Math.random().toString(36).slice(2, 8)}`
      await page.getByTestId('composer').fill(text)
      await page.getByTestId('send').click()
      await page.locator('[data-testid=message][data-status=queued]', { hasText: text }).waitFor()
      await page.context().setOffline(false)
      await page.locator('[data-testid=message][data-status=sent]', { hasText: text }).waitFor()
      await page.locator('[data-testid=connection-status][data-status=live]').waitFor()
      expect(await page.getByTestId('message-count').getAttribute('data-count')).toBe(String(n + 1))
      expect((await fx.chat.log(SAM.id, PAT.id)).filter(m => m.content === text)).toHaveLength(1)
    }
    finally {
      await page.context().setOffline(false)
    }
  })
})
