import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, Playground, signIn, unique, USERS } from './harness'
import type { UserKey } from './harness'

const TITLE = 'vue-realtime-chat playground'

let server: Playground
let browser: Browser
const contexts: BrowserContext[] = []

beforeAll(async () => {
  // Long-lived tokens: these tests reload pages and must not race a refresh (see chat.test.ts).
  server = new Playground({ accessTtlSeconds: 3600 })
  ;[browser] = await Promise.all([launchBrowser(), server.start()])
})

afterAll(async () => {
  await Promise.all(contexts.map(c => c.close().catch(() => {})))
  await browser?.close()
  await server?.dispose()
})

interface Shown { title: string, body: string, tag: string }

/**
 * A page allowed to notify, with two test hooks installed before any page script:
 * - `window.Notification` wrapped so every construction is recorded (the real one still runs);
 * - `document.visibilityState` / `document.hidden` overridden, switched by `__setHidden()` with a
 *   `visibilitychange` event, the switch kept in sessionStorage so a reload starts hidden too.
 *   Headless Chromium keeps every page visible (neither a background tab, a minimised window nor
 *   CDP lifecycle states change it), so the override is how the page gets hidden.
 */
async function notifyingPage(user: UserKey): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 640 } })
  context.setDefaultTimeout(45_000)
  contexts.push(context)
  await context.grantPermissions(['notifications'], { origin: server.url })
  await context.addInitScript(() => {
    const Real = window.Notification
    const shown: Array<{ title: string, body: string, tag: string, notification: Notification }> = []
    window.Notification = class extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options)
        shown.push({ title, body: options?.body ?? '', tag: options?.tag ?? '', notification: this })
      }
    }
    let hidden = sessionStorage.getItem('e2e-hidden') === '1'
    Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') })
    Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden })
    const w = window as unknown as Record<string, unknown>
    w.__shown = () => shown.map(({ title, body, tag }) => ({ title, body, tag }))
    w.__click = (i: number) => shown[i]?.notification.dispatchEvent(new Event('click'))
    w.__setHidden = (value: boolean) => {
      hidden = value
      sessionStorage.setItem('e2e-hidden', value ? '1' : '0')
      document.dispatchEvent(new Event('visibilitychange'))
    }
  })
  const page = await context.newPage()
  await signIn(page, server.url, user)
  // Permission already granted: the page offers no button to ask for it.
  expect(await page.getByTestId('enable-notifications').count()).toBe(0)
  return page
}

const shown = (page: Page) => page.evaluate(() => (window as unknown as { __shown(): Shown[] }).__shown())
const setHidden = (page: Page, hidden: boolean) => page.evaluate(h => (window as unknown as { __setHidden(h: boolean): void }).__setHidden(h), hidden)
const expectTitle = (page: Page, title: string) => page.waitForFunction(t => document.title === t, title)

async function openConversation(page: Page, peer: UserKey): Promise<void> {
  await page.getByTestId(`contact-${USERS[peer].id}`).click()
  await page.locator(`.panel[data-peer="${USERS[peer].id}"] [data-testid=connection-status][data-status=live]`).waitFor()
}

async function waitForText(page: Page, text: string, status = 'sent'): Promise<void> {
  await page.locator(`[data-testid=message][data-status=${status}]`, { hasText: text }).waitFor()
}

describe('notifications in Chromium', () => {
  it('a hidden page notifies once per peer message and counts it in the title; own messages and the replay after a reload never notify', async () => {
    const sam = await notifyingPage('student')
    await openConversation(sam, 'parent')
    await setHidden(sam, true)

    const first = unique('while you were away')
    await server.sendAs('parent', 'student', first)
    await waitForText(sam, first)
    await expect.poll(() => shown(sam)).toEqual([{ title: USERS.parent.name, body: first, tag: `vue-realtime-chat:${USERS.parent.id}` }])
    await expectTitle(sam, `(1) ${TITLE}`)

    // Own messages: one typed here, one sent from another device of the same user.
    const typed = unique('typed while hidden')
    await sam.getByTestId('composer').fill(typed)
    await sam.getByTestId('send').click()
    await waitForText(sam, typed)
    const elsewhere = unique('sent from my phone')
    await server.sendAs('student', 'parent', elsewhere)
    await waitForText(sam, elsewhere)
    expect(await shown(sam)).toHaveLength(1)

    // The reload replays the whole history, the unread message included: no notification for it.
    await sam.reload()
    await sam.locator('[data-testid=connection-status][data-status=live]').waitFor()
    await waitForText(sam, elsewhere)
    await waitForText(sam, first)
    await expectTitle(sam, `(1) ${TITLE}`)
    expect(await shown(sam)).toEqual([])

    // The reloaded page still notifies for what comes next.
    const next = unique('and one more')
    await server.sendAs('parent', 'student', next)
    await waitForText(sam, next)
    await expect.poll(() => shown(sam)).toEqual([{ title: USERS.parent.name, body: next, tag: `vue-realtime-chat:${USERS.parent.id}` }])
    await expectTitle(sam, `(2) ${TITLE}`)

    // Back on the page: the open conversation is read, the count leaves the title.
    await setHidden(sam, false)
    await expectTitle(sam, TITLE)
  })

  it('a visible page does not notify for the conversation on screen, notifies for another, and a click opens that one', async () => {
    const pat = await notifyingPage('parent')
    await openConversation(pat, 'student')

    const onScreen = unique('you are looking at me')
    await server.sendAs('student', 'parent', onScreen)
    await waitForText(pat, onScreen)
    expect(await shown(pat)).toEqual([])

    const other = unique('a word from Alex')
    await server.sendAs('parent2', 'parent', other)
    await expect.poll(() => shown(pat)).toEqual([{ title: USERS.parent2.name, body: other, tag: `vue-realtime-chat:${USERS.parent2.id}` }])
    await expectTitle(pat, `(1) ${TITLE}`)
    await pat.getByTestId(`unread-${USERS.parent2.id}`).waitFor()

    await pat.evaluate(() => (window as unknown as { __click(i: number): void }).__click(0))
    await pat.waitForURL(url => url.searchParams.get('with') === String(USERS.parent2.id))
    await waitForText(pat, other)
    await expectTitle(pat, TITLE)
    expect(await shown(pat)).toHaveLength(1)
  })
})
