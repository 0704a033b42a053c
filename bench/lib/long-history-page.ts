/**
 * What the long-history benchmark runs inside each page: an init script that records, on the page's
 * clock (ms since navigation start), when WebSocket frames arrive, when the first message is
 * painted, how the connection status and message count change, and every long main-thread task;
 * and the floor page, a raw WebSocket that appends one text node per history frame.
 *
 * Plain JavaScript strings, not functions passed to playwright: tsx's transform would add helpers
 * the page does not have.
 */

/** What the init script collects, read back with `page.evaluate(() => window.__bench)`. */
export interface PageRecord {
  /** WebSockets the page constructed. */
  sockets: number
  /** Message events received, and when the first and the last one arrived. */
  frames: number
  firstFrame: number | null
  lastFrame: number | null
  /** The first message element in the DOM. */
  firstInDom: number | null
  /**
   * The animation frame after whose rendering a message element was first visible in the viewport
   * (its start time): a virtual list may render rows hidden until it has measured them.
   */
  firstShown: number | null
  /** `[time, connection status, message count]` on every change of either (playground only). */
  states: Array<[number, string | null, number | null]>
  /** `[start, duration]` of every task over 50 ms (PerformanceObserver `longtask`). */
  longTasks: Array<[number, number]>
  /** Floor only: when the last of the expected frames was appended. */
  floorDone: number | null
  /** `[time, data-source]` on every change of the message count's `data-source` (playground only). */
  sources: Array<[number, string | null]>
  /**
   * Frames (their start time) after which the messages in view differ from the frame before: a
   * row in view added, removed, moved or changed its text. Only from the first one shown on.
   */
  viewChanges: number[]
  /** When the clock mark ran (a 2 ms busy loop), to find the page's clock in a CPU profile. */
  clockMark: number
}

/** The function the init script runs first; a CPU profile shows it at `clockMark` on the page's clock. */
export const CLOCK_MARK = '__benchClockMark'

/** Elements holding one message's text: the playground's, and the floor page's container. */
const TEXT = '[data-testid=message-text], [data-floor-text]'

export const INSTRUMENT = `(() => {
  function ${CLOCK_MARK}() {
    const start = performance.now()
    while (performance.now() - start < 2);
    return start + 1
  }
  const b = window.__bench = { sockets: 0, frames: 0, firstFrame: null, lastFrame: null, firstInDom: null, firstShown: null, states: [], sources: [], viewChanges: [], longTasks: [], floorDone: null, clockMark: ${CLOCK_MARK}() }
  new PerformanceObserver(function benchLongTasks(list) {
    for (const e of list.getEntries()) b.longTasks.push([e.startTime, e.duration])
  }).observe({ type: 'longtask', buffered: true })

  // Each animation frame posts a task, which runs after that frame's rendering: if a message is
  // visible then, that frame painted it. (Element Timing missed rows a virtual list first renders
  // hidden and reveals once measured.)
  /** What is in view: each visible message's text and position, or '' for nothing. */
  const view = () => {
    let out = ''
    for (const el of document.querySelectorAll(${JSON.stringify(TEXT)})) {
      const r = el.getBoundingClientRect()
      if (r.height > 0 && r.bottom > 0 && r.top < innerHeight && el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) out += Math.round(r.top) + ':' + el.textContent.slice(0, 80) + '\\n'
    }
    return out
  }
  const afterFrame = new MessageChannel()
  let frameStart = 0
  let shown = ''
  afterFrame.port1.onmessage = function benchAfterFrame() {
    const now = view()
    if (b.firstShown === null && now) b.firstShown = frameStart
    else if (b.firstShown !== null && now !== shown) b.viewChanges.push(frameStart)
    if (b.firstShown !== null) shown = now
  }
  requestAnimationFrame(function benchFrame() {
    frameStart = performance.now()
    afterFrame.port2.postMessage(0)
    requestAnimationFrame(benchFrame)
  })

  const Native = window.WebSocket
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols)
      b.sockets++
      this.addEventListener('message', function benchFrame() {
        const t = performance.now()
        if (b.firstFrame === null) b.firstFrame = t
        b.lastFrame = t
        b.frames++
      })
    }
  }

  const inDom = (node) => node.nodeType === 1 && (node.matches(${JSON.stringify(TEXT)}) || node.querySelector(${JSON.stringify(TEXT)}) !== null)
  let last = ''
  let lastSource
  new MutationObserver(function benchMutations(records) {
    if (b.firstInDom === null && records.some(r => [...r.addedNodes].some(inDom))) b.firstInDom = performance.now()
    const status = document.querySelector('[data-testid=connection-status]')?.getAttribute('data-status') ?? null
    const count = document.querySelector('[data-testid=message-count]')?.getAttribute('data-count') ?? null
    const key = status + ' ' + count
    if (key !== last) {
      last = key
      b.states.push([performance.now(), status, count === null ? null : Number(count)])
    }
    const source = document.querySelector('[data-testid=message-count]')?.getAttribute('data-source') ?? null
    if (source !== lastSource) {
      lastSource = source
      b.sources.push([performance.now(), source])
    }
  }).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-status', 'data-count', 'data-source'] })
})()`

/**
 * The floor: the least a page must do to show a history. Connects to `#ws=…`, parses every frame
 * and appends its content as a text node; notes when the `#n=…`th frame is appended.
 */
export const FLOOR_HTML = `<!doctype html><meta charset="utf-8"><title>floor</title>
<div data-floor-text style="white-space: pre-wrap"></div>
<script>
  const params = new URLSearchParams(location.hash.slice(1))
  const box = document.querySelector('[data-floor-text]')
  const expected = Number(params.get('n'))
  let received = 0
  const socket = new WebSocket(params.get('ws'))
  socket.onmessage = (event) => {
    const frame = JSON.parse(event.data)
    box.appendChild(document.createTextNode(frame.content + '\\n'))
    if (++received === expected) window.__bench.floorDone = performance.now()
  }
</script>`
