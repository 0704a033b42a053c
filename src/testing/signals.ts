import type { EnvironmentSignals } from '../core/types'

/** Online/visibility signals a test drives by hand: pass as `signals` to `createChatClient`. */
export interface ManualSignals extends EnvironmentSignals {
  /** Go offline (`false`) or back online (`true`); subscribers hear of it at once. */
  setOnline(value: boolean): void
  /** Hide (`false`) or show (`true`) the page; subscribers hear of it at once. */
  setVisible(value: boolean): void
}

/** Environment signals for Node tests of offline/online and hidden/visible behaviour. Starts online and visible. */
export function createManualSignals(): ManualSignals {
  let online = true
  let visible = true
  const listeners = new Set<() => void>()
  const fire = (): void => {
    for (const l of [...listeners]) l()
  }
  return {
    isOnline: () => online,
    isVisible: () => visible,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    setOnline(value) {
      online = value
      fire()
    },
    setVisible(value) {
      visible = value
      fire()
    },
  }
}
