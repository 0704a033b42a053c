import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { unique } from './harness'
import { historyFixture, PAT, SAM } from './history-fixture'

// A school year of chatting: the playground's virtual list against the library's test server.
const HISTORY = 3000

/** Chat-like lengths from a word to a few lines, so rows have different heights. */
function historyText(i: number): string {
  const words = ['ok', 'see you at five', 'did you finish the project?', 'remember your sports kit, the bus leaves early tomorrow']
  const body = Array.from({ length: 1 + (i * 7) % 9 }, (_, k) => words[(i + k) % words.length]).join(' ')
  return `${i % 11 === 0 ? `${body}\n${body}` : body} #${i}`
}

const fx = historyFixture(HISTORY, i => ({ content: historyText(i), atMs: i * 3_600_000, isRead: true }))

/** Sam signs in and opens the conversation with Pat; resolves once all of it is there and live. */
async function openLongChat(): Promise<{ page: Page, stored: number, newest: string }> {
  const log = await fx.chat.log(SAM.id, PAT.id)
  const stored = log.length
  const page = await fx.signedInPage(45_000)
  await page.goto(`${fx.playground.url}/?with=${PAT.id}`)
  await page.locator('[data-testid=connection-status][data-status=live]').waitFor()
  await page.locator(`[data-testid=message-count][data-count="${stored}"]`).waitFor()
  return { page, stored, newest: log.at(-1)!.content }
}

/** Pat sends `text` from a raw socket; resolves once the server echoed it (it is stored). */
async function peerSends(text: string): Promise<void> {
  const ws = new WebSocket(`${fx.chat.wsUrl}/ws/chat/${SAM.id}/?token=${fx.chat.issueTokens(PAT.id).access}`)
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ message: text })))
    ws.on('message', (data) => {
      if ((JSON.parse(String(data)) as { message?: unknown }).message === text) resolve()
    })
    ws.on('error', reject)
  })
  ws.close()
}

interface Scroll { top: number, height: number, client: number, rendered: number }

/** The list's scroller once its offset held still for three frames (virtua measures, then settles). */
function settledScroll(page: Page): Promise<Scroll> {
  return page.evaluate(() => new Promise<Scroll>((resolve) => {
    const scroller = document.querySelector<HTMLElement>('[data-testid=messages] > div')!
    let last = Number.NaN
    let still = 0
    const frame = () => {
      still = scroller.scrollTop === last ? still + 1 : 0
      last = scroller.scrollTop
      if (still >= 3) {
        resolve({ top: scroller.scrollTop, height: scroller.scrollHeight, client: scroller.clientHeight, rendered: document.querySelectorAll('[data-testid=message]').length })
        return
      }
      requestAnimationFrame(frame)
    }
    requestAnimationFrame(frame)
  }))
}

/** Whether the message showing `text` is rendered and entirely inside the list's viewport. */
async function inView(page: Page, text: string): Promise<boolean> {
  const message = page.getByTestId('message').filter({ hasText: text })
  if (await message.count() !== 1) return false
  const [box, list] = await Promise.all([message.boundingBox(), page.getByTestId('messages').boundingBox()])
  return !!box && !!list && box.y >= list.y - 1 && box.y + box.height <= list.y + list.height + 1
}

async function wheelOverList(page: Page, deltaY: number): Promise<void> {
  const list = await page.getByTestId('messages').boundingBox()
  if (!list) throw new Error('no message list on the page')
  await page.mouse.move(list.x + list.width / 2, list.y + list.height / 2)
  await page.mouse.wheel(0, deltaY)
}

describe('a long conversation in Chromium', () => {
  it('opens at the newest message, at the bottom, rendering only what is near the view', async () => {
    const { page, newest } = await openLongChat()
    await expect.poll(() => inView(page, newest)).toBe(true)
    const scroll = await settledScroll(page)
    expect(scroll.top + scroll.client).toBeGreaterThanOrEqual(scroll.height - 2)
    expect(scroll.rendered).toBeGreaterThan(0)
    expect(scroll.rendered).toBeLessThan(100)
    expect(await inView(page, `#${HISTORY - 40}`)).toBe(false)
  })

  it('stays where the user scrolled to when a message arrives, and follows new ones at the bottom', async () => {
    const { page, stored, newest } = await openLongChat()
    await expect.poll(() => inView(page, newest)).toBe(true)

    await wheelOverList(page, -3000)
    const up = await settledScroll(page)
    expect(up.top + up.client).toBeLessThan(up.height - 1500)
    const away = unique('while you read older ones')
    await peerSends(away)
    await page.locator(`[data-testid=message-count][data-count="${stored + 1}"]`).waitFor()
    const after = await settledScroll(page)
    expect(Math.abs(after.top - up.top)).toBeLessThanOrEqual(2)
    expect(await inView(page, away)).toBe(false)

    await wheelOverList(page, after.height)
    await expect.poll(async () => {
      const s = await settledScroll(page)
      return s.top + s.client >= s.height - 2
    }).toBe(true)
    const back = unique('now that you are back')
    await peerSends(back)
    await page.locator(`[data-testid=message-count][data-count="${stored + 2}"]`).waitFor()
    await expect.poll(() => inView(page, back)).toBe(true)
  })

  it('shows the first history as it streams in, from the oldest message down, in every frame', async () => {
    const log = await fx.chat.log(SAM.id, PAT.id)
    const stored = log.length
    const page = await fx.signedInPage(45_000)
    // After each frame's rendering (a task the frame posts): the status, and whether a message is in the list's view.
    await page.addInitScript(() => {
      const frames: Array<{ status: string | null, shown: boolean, newest: number }> = []
      ;(window as unknown as { __frames: typeof frames }).__frames = frames
      const after = new MessageChannel()
      after.port1.onmessage = () => {
        const list = document.querySelector('[data-testid=messages]')?.getBoundingClientRect()
        // Messages end with their index in the history (`#i`).
        const inView = !list
          ? []
          : [...document.querySelectorAll('[data-testid=message]')].filter((el) => {
              const r = el.getBoundingClientRect()
              return r.height > 0 && r.bottom > list.top && r.top < list.bottom && el.checkVisibility({ visibilityProperty: true })
            }).map(el => Number(/#(\d+)\s*$/.exec(el.querySelector('[data-testid=message-text]')?.textContent ?? '')?.[1]))
        frames.push({ status: document.querySelector('[data-testid=connection-status]')?.getAttribute('data-status') ?? null, shown: inView.length > 0, newest: Math.max(-1, ...inView) })
      }
      const frame = () => {
        after.port2.postMessage(0)
        requestAnimationFrame(frame)
      }
      requestAnimationFrame(frame)
    })
    await page.goto(`${fx.playground.url}/?with=${PAT.id}`)
    await page.locator('[data-testid=connection-status][data-status=live]').waitFor()
    await page.locator(`[data-testid=message-count][data-count="${stored}"]`).waitFor()
    const frames = await page.evaluate(() => (window as unknown as { __frames: Array<{ status: string | null, shown: boolean, newest: number }> }).__frames)
    const first = frames.findIndex(f => f.shown)
    const streaming = frames.slice(first).filter(f => f.status === 'syncing')
    expect(frames[first]?.status).toBe('syncing')
    expect(streaming.length).toBeGreaterThan(3)
    expect(streaming.filter(f => !f.shown)).toEqual([])
    // The view stays with the oldest messages while the rest streams in below them.
    expect(Math.max(...streaming.map(f => f.newest))).toBeLessThan(30)
    // Live: the list goes to the newest message.
    await expect.poll(() => inView(page, log.at(-1)!.content)).toBe(true)
  })

  it('keeps the stored read marker when the page opens before the history is in', async () => {
    const { page } = await openLongChat()
    const readKey = new RegExp(`:read:${SAM.id}:${PAT.id}$`).source
    const marker = () => page.evaluate((pattern) => {
      const key = Object.keys(localStorage).find(k => new RegExp(pattern).test(k))
      return key ? localStorage.getItem(key) : null
    }, readKey)
    await expect.poll(async () => Number(await marker())).toBeGreaterThan(1000)
    const before = await marker()
    await fx.chat.stop()
    try {
      // The panel is mounted once it opens a socket; that socket failing is the open before any history.
      const attempt = page.waitForEvent('websocket')
      await page.reload()
      const socket = await attempt
      if (!socket.isClosed()) await new Promise(resolve => socket.on('close', resolve))
      // Nothing from the server yet (the playground's history cache may show what it kept).
      expect(await page.getByTestId('message-count').getAttribute('data-source')).not.toBe('replay')
      expect(await marker()).toBe(before)
    }
    finally {
      await fx.chat.start()
    }
  })
})
