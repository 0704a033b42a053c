import { mkdirSync } from 'node:fs'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, Playground, signIn, unique, USERS } from './harness'

const results = new URL('../../test-results/', import.meta.url).pathname
mkdirSync(results, { recursive: true })

let server: Playground
let browser: Browser
const contexts: BrowserContext[] = []

beforeAll(async () => {
  server = new Playground({ accessTtlSeconds: 3600 })
  ;[browser] = await Promise.all([launchBrowser(), server.start()])
})

afterAll(async () => {
  await Promise.all(contexts.map(c => c.close().catch(() => {})))
  await browser?.close()
  await server?.dispose()
})

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 640 } })
  context.setDefaultTimeout(45_000)
  contexts.push(context)
  return context.newPage()
}

/** The contact list as shown, top to bottom: peer id and unread count. */
function inbox(page: Page): Promise<Array<[string, number]>> {
  return page.locator('[data-inbox-entry]').evaluateAll(rows => rows.map(row => [
    (row as HTMLElement).dataset.testid!.replace('contact-', ''),
    Number((row as HTMLElement).dataset.unread),
  ] as [string, number]))
}

describe('the playground inbox in Chromium', () => {
  it('shows the unread count of three peers, newest first, and re-sorts on a new message', async () => {
    const [pat, alex, casey] = [unique('from Pat'), [unique('Alex 1'), unique('Alex 2')], [unique('Casey 1'), unique('Casey 2'), unique('Casey 3')]]
    await server.sendAs('parent', 'student', pat)
    for (const text of alex) await server.sendAs('parent2', 'student', text)
    for (const text of casey) await server.sendAs('student2', 'student', text)

    const sam = await newPage()
    await signIn(sam, server.url, 'student')
    const { parent, parent2, student2 } = USERS
    await expect.poll(() => inbox(sam)).toEqual([[String(student2.id), 3], [String(parent2.id), 2], [String(parent.id), 1]])
    expect(await sam.getByTestId(`unread-${student2.id}`).textContent()).toBe('3')
    expect(await sam.getByTestId(`last-${parent2.id}`).textContent()).toBe(alex[1])

    const again = unique('Pat again')
    await server.sendAs('parent', 'student', again)
    await expect.poll(() => inbox(sam)).toEqual([[String(parent.id), 2], [String(student2.id), 3], [String(parent2.id), 2]])
    expect(await sam.getByTestId(`last-${parent.id}`).textContent()).toBe(again)

    // Opening a conversation reads it; an own reply makes it the latest activity.
    await sam.getByTestId(`contact-${parent2.id}`).click()
    await sam.locator(`.panel[data-peer="${parent2.id}"] [data-testid=connection-status][data-status=live]`).waitFor()
    const reply = unique('my reply to Alex')
    await sam.getByTestId('composer').fill(reply)
    await sam.getByTestId('send').click()
    await expect.poll(() => inbox(sam)).toEqual([[String(parent2.id), 0], [String(parent.id), 2], [String(student2.id), 3]])
    expect(await sam.getByTestId(`last-${parent2.id}`).textContent()).toBe(`You: ${reply}`)
    await sam.screenshot({ path: `${results}e2e-inbox.png` })
  })
})
