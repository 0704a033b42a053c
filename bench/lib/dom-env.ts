/**
 * A happy-dom window installed as the global DOM. Import this FIRST in a scenario that mounts Vue:
 * Vue's DOM renderer and VueUse read `document`/`window` when their modules load.
 */
import { Window } from 'happy-dom'

const window = new Window({ url: 'http://localhost/' })
const globals: Record<string, unknown> = {
  window,
  document: window.document,
  navigator: window.navigator,
  location: window.location,
  Node: window.Node,
  Element: window.Element,
  HTMLElement: window.HTMLElement,
  SVGElement: window.SVGElement,
  MutationObserver: window.MutationObserver,
  getComputedStyle: window.getComputedStyle.bind(window),
}
for (const [name, value] of Object.entries(globals)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true })

/** Close the window (its timers and pending tasks). */
export function closeDom(): Promise<void> {
  return window.happyDOM.close()
}
