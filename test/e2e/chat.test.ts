import { mkdirSync } from 'node:fs'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, Playground, unique, USERS } from './harness'
import type { UserKey } from './harness'

const ACCESS_TTL_SECONDS = 5
const results = new URL('../../test-results/', import.meta.url).pathname
mkdirSync(results, { recursive: true })
// The docs show these screenshots; only an explicit update run rewrites the committed ones, so a
// CI run still takes them (into test-results/) without dirtying the tree.
const docShots = process.env.UPDATE_SCREENSHOTS === '1'
  ? new URL('../../docs/public/screenshots/', import.meta.url).pathname
  : `${results}screenshots/`
mkdirSync(docShots, { recursive: true })

let server: Playground
let browser: Browser
const contexts: BrowserContext[] = []

beforeAll(async () => {
  server = new Playground({ accessTtlSeconds: ACCESS_TTL_SECONDS })
  ;[browser] = await Promise.all([launchBrowser(), server.start()])
})

afterAll(async () => {
  await Promise.all(contexts.map(c => c.close().catch(() => {})))
  await browser?.close()
  await server?.dispose()
})

async function newPage(): Promise<{ context: BrowserContext, page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 640 } })
  // CI machines are small and shared: be patient, every wait still ends on an event.
  context.setDefaultTimeout(45_000)
  context.setDefaultNavigationTimeout(45_000)
  contexts.push(context)
  const page = await context.newPage()
  await page.addInitScript(() => {
    (window as unknown as { __dialogs: number }).__dialogs = 0
    window.alert = () => { (window as unknown as { __dialogs: number }).__dialogs++ }
  })
  return { context, page }
}

/** Log in through the UI and open the conversation with `peer`, waiting until it is live. */
async function openChat(user: UserKey, peer: UserKey): Promise<{ context: BrowserContext, page: Page }> {
  const { context, page } = await newPage()
  await page.goto(`${server.url}/login`)
  await page.locator('input[name=email]').fill(USERS[user].email)
  await page.locator('input[name=password]').fill(USERS[user].password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByTestId('me').waitFor()
  await page.getByTestId(`contact-${USERS[peer].id}`).click()
  await expectLive(page)
  return { context, page }
}

/** Save the viewport (fixed by newPage) as the docs screenshot `name`. */
async function docShot(page: Page, name: 'chat' | 'offline-queued' | 'session-expired'): Promise<void> {
  await page.screenshot({ path: `${docShots}${name}.png` })
}

let failures = 0

/** Wait for the chat to be live; on timeout, save a screenshot and say what the page showed instead. */
async function expectLive(page: Page, timeout = 30_000): Promise<void> {
  try {
    await page.locator('[data-testid=connection-status][data-status=live]').waitFor({ timeout })
  }
  catch (error) {
    const shot = `${results}e2e-failure-${++failures}.png`
    await page.screenshot({ path: shot }).catch(() => undefined)
    const status = await page.locator('[data-testid=connection-status]').first().getAttribute('data-status', { timeout: 1000 }).catch(() => 'absent')
    const body = (await page.locator('body').innerText({ timeout: 1000 }).catch(() => '')).slice(0, 600)
    const diagnosis = `not live after ${timeout} ms (connection-status: ${status}; url: ${page.url()}; screenshot: ${shot}); page text: ${body}`
    // Printed as well as thrown: with the config's retry, a flake that passes the second time still shows up in the log.
    console.warn(`[e2e] ${diagnosis}`)
    throw new Error(diagnosis, { cause: error })
  }
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer').fill(text)
  await page.getByTestId('send').click()
}

function texts(page: Page): Promise<string[]> {
  return page.getByTestId('message-text').allTextContents()
}

/**
 * The page shows the `stored` history, each message once, in order: its header counts as many, and
 * the ones its virtual list rendered (around the view, the newest at the bottom) are the tail.
 */
async function expectShows(page: Page, stored: string[]): Promise<void> {
  await expect.poll(async () => {
    const shown = await texts(page)
    const count = Number(await page.getByTestId('message-count').getAttribute('data-count'))
    return { count, shown, tail: stored.slice(stored.length - shown.length) }
  }).toSatisfy(({ count, shown, tail }) => count === stored.length && shown.length > 0 && shown.join('\n') === tail.join('\n'))
}

/** Wait until the page shows `text` as a message with `status` (default: sent). */
async function waitForMessage(page: Page, text: string, status = 'sent', timeout = 30_000): Promise<void> {
  await page.locator(`[data-testid=message][data-status=${status}]`, { hasText: text }).first().waitFor({ timeout })
}

/**
 * Wait until the page has just stored a rotated token pair, so that what follows (a reload, editing
 * the stored tokens) does not overlap a refresh in flight. The suite's access tokens live 5 s, so each
 * page refreshes every ~2.5 s; a reload while a refresh is in flight loses the rotated refresh token
 * (the server already blacklisted the old one, the response dies with the old page) and the new
 * page lands on "session expired". That race is real (README: Known limits) and was this suite's
 * rare flake; here it is kept out of tests that are about something else.
 */
async function afterRefresh(page: Page): Promise<void> {
  const response = await page.waitForResponse(r => r.url().endsWith('/api/auth/token/refresh/') && r.request().method() === 'POST' && r.ok(), { timeout: ACCESS_TTL_SECONDS * 3000 })
  const { access } = await response.json() as { access: string }
  await page.waitForFunction((token) => {
    for (let i = 0; i < localStorage.length; i++) {
      if (localStorage.getItem(localStorage.key(i)!)?.includes(token)) return true
    }
    return false
  }, access, { timeout: 5000 })
}

/** Wait until own message `text` shows the peer's read receipt ("read"). */
async function waitForRead(page: Page, text: string, timeout = 30_000): Promise<void> {
  await page.locator('[data-testid=message]', { hasText: text }).locator('[data-testid=message-state][data-read=true]').first().waitFor({ timeout })
  expect(await page.locator('[data-testid=message]', { hasText: text }).getByTestId('message-state').first().textContent()).toBe('read')
}

function count(list: string[], text: string): number {
  return list.filter(t => t === text).length
}

describe('playground in Chromium', () => {
  it('two users chat both ways; a reload shows the same history once, in order', async () => {
    const { page: sam } = await openChat('student', 'parent')
    const { page: pat } = await openChat('parent', 'student')

    const first = unique('hello Pat')
    const second = unique('hi Sam')
    const third = unique('how are you?')
    await send(sam, first)
    await waitForMessage(sam, first)
    await waitForMessage(pat, first)
    // Pat's page shows it, so Pat's client marks it read and sends a receipt: Sam sees "read".
    await waitForRead(sam, first)
    await send(pat, second)
    await waitForMessage(pat, second)
    await waitForMessage(sam, second)
    await send(sam, third)
    await waitForMessage(pat, third)

    const stored = (await server.history('student', 'parent')).map(m => m.content)
    expect(stored.slice(-3)).toEqual([first, second, third])
    await expectShows(sam, stored)
    await expectShows(pat, stored)

    await afterRefresh(sam)
    await sam.reload()
    await expectLive(sam)
    await waitForMessage(sam, third)
    await expectShows(sam, stored)
    // the receipt count survives the reload (session storage), the server never stores read state
    await waitForRead(sam, first, 5000)
    await docShot(sam, 'chat')
    await pat.screenshot({ path: `${results}e2e-chat-parent.png` })
  })

  it('keeps a message sent while the server is down and delivers it exactly once after the restart', async () => {
    const { page: sam } = await openChat('student', 'parent2')
    const { page: alex } = await openChat('parent2', 'student')

    await server.stop()
    await sam.locator('[data-testid=connection-status]:not([data-status=live])').waitFor()
    const text = unique('sent during the outage')
    await send(sam, text)
    // Visible but not confirmed while the server is away.
    const own = sam.locator('[data-testid=message]', { hasText: text })
    await own.waitFor()
    expect(await own.getAttribute('data-status')).not.toBe('sent')
    await sam.screenshot({ path: `${results}e2e-chat-outage.png` })

    await server.start()
    await expectLive(sam, 30_000)
    await waitForMessage(sam, text, 'sent', 30_000)
    await waitForMessage(alex, text, 'sent', 30_000)

    const stored = (await server.history('student', 'parent2')).map(m => m.content)
    expect(count(stored, text)).toBe(1)
    await expectShows(alex, stored)
    await expectShows(sam, stored)
  })

  it('sends three messages while offline and delivers all of them once, in order, when back online', async () => {
    const { context, page: pat } = await openChat('parent', 'parent2')
    const { page: alex } = await openChat('parent2', 'parent')

    await context.setOffline(true)
    const batch = [unique('offline one'), unique('offline two'), unique('offline three')]
    for (const text of batch) await send(pat, text)
    for (const text of batch) {
      const status = await pat.locator('[data-testid=message]', { hasText: text }).getAttribute('data-status')
      expect(status).not.toBe('sent')
    }
    await docShot(pat, 'offline-queued')
    await context.setOffline(false)

    for (const text of batch) await waitForMessage(alex, text, 'sent', 30_000)
    await waitForMessage(pat, batch[2]!, 'sent', 30_000)
    const stored = (await server.history('parent', 'parent2')).map(m => m.content)
    expect(stored.slice(-3)).toEqual(batch)
    for (const text of batch) expect(count(stored, text)).toBe(1)
    await expectShows(alex, stored)
    await expectShows(pat, stored)
  })

  it('refreshes short-lived access tokens in the background while the chat stays live', async () => {
    const { page: sam } = await openChat('student', 'parent')
    const isRefresh = (r: { url(): string, method(): string }) => r.url().endsWith('/api/auth/token/refresh/') && r.method() === 'POST'
    // Two rotations: the first access token is long expired by the second one.
    await sam.waitForRequest(isRefresh, { timeout: ACCESS_TTL_SECONDS * 3000 })
    await sam.waitForRequest(isRefresh, { timeout: ACCESS_TTL_SECONDS * 3000 })
    const text = unique('still live')
    await send(sam, text)
    await waitForMessage(sam, text)
    expect(await sam.getByTestId('connection-status').getAttribute('data-status')).toBe('live')
    expect(await sam.getByTestId('chat-error').count()).toBe(0)
  })

  it('refreshes an expired access token on reload without the user noticing', async () => {
    const { page: sam } = await openChat('student', 'parent')
    // Swap the stored access token for one this server signed but that expired a minute ago.
    const expired = server.expiredAccessToken('student')
    await afterRefresh(sam)
    const swapped = await sam.evaluate((token) => {
      const isAccess = (jwt: string) => {
        try {
          return JSON.parse(atob(jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).token_type === 'access'
        }
        catch {
          return false
        }
      }
      let n = 0
      for (let i = 0; i < localStorage.length; i++) {
        const key = localStorage.key(i)!
        const value = localStorage.getItem(key)!
        localStorage.setItem(key, value.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, jwt => (isAccess(jwt) ? (n++, token) : jwt)))
      }
      return n
    }, expired)
    expect(swapped).toBeGreaterThanOrEqual(1)
    const refreshed = sam.waitForRequest(r => r.url().endsWith('/api/auth/token/refresh/') && r.method() === 'POST', { timeout: 20_000 })
    await sam.reload()
    await refreshed
    await expectLive(sam)
    const text = unique('after the refresh')
    await send(sam, text)
    await waitForMessage(sam, text)
    expect(sam.url()).not.toContain('/login')
    expect(await sam.getByTestId('chat-error').count()).toBe(0)
  })

  it('lands on the login page with a message when the refresh token is no longer valid', async () => {
    const { page: sam } = await openChat('student', 'parent')
    // Tamper with every stored JWT signature: access and refresh tokens both become invalid
    // (right after a refresh, so none in flight can write valid ones back).
    await afterRefresh(sam)
    const tampered = await sam.evaluate(() => {
      let n = 0
      for (let i = 0; i < localStorage.length; i++) {
        const key = localStorage.key(i)!
        const value = localStorage.getItem(key)!
        const next = value.replace(/(eyJ[\w-]+\.[\w-]+\.)[\w-]+/g, (_m, head: string) => {
          n++
          return `${head}invalidsignature`
        })
        localStorage.setItem(key, next)
      }
      return n
    })
    expect(tampered).toBeGreaterThanOrEqual(2)
    await sam.reload()
    await sam.waitForURL(/\/login\?reason=expired/, { timeout: 20_000 })
    await expect.poll(() => sam.getByTestId('login-notice').textContent()).toContain('session has expired')
    await docShot(sam, 'session-expired')
  })

  it('shows an XSS payload as text and never runs it', async () => {
    const { page: sam } = await openChat('student', 'parent')
    const { page: pat } = await openChat('parent', 'student')
    const payloads = [
      `<img src=x onerror="window.__xss=1;alert(1)">`,
      `<script>window.__xss=2</script>`,
      `"><svg onload="window.__xss=3">`,
    ]
    for (const p of payloads) await send(sam, p)
    for (const p of payloads) await waitForMessage(pat, p)
    await afterRefresh(pat)
    await pat.reload()
    await expectLive(pat)
    for (const p of payloads) await waitForMessage(pat, p)

    for (const page of [sam, pat]) {
      const shown = await texts(page)
      for (const p of payloads) expect(shown).toContain(p)
      const state = await page.evaluate(() => ({
        xss: (window as unknown as { __xss?: number }).__xss,
        dialogs: (window as unknown as { __dialogs: number }).__dialogs,
        injected: document.querySelectorAll('[data-testid=messages] img, [data-testid=messages] script, [data-testid=messages] svg').length,
      }))
      expect(state).toEqual({ xss: undefined, dialogs: 0, injected: 0 })
    }
    await pat.screenshot({ path: `${results}e2e-xss-as-text.png` })
  })
})
