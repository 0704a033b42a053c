/**
 * Waiting in tests without sleeps: `once` awaits an event; `waitFor` re-checks a condition that has
 * no event to listen to (a server counter, a port coming back) and fails the test on timeout.
 */

/** Resolve when `predicate()` holds (checked every 5 ms); reject with `what` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, what = 'condition', timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

/** Resolve with the first payload `subscribe` delivers; reject with `what` after `timeoutMs`. */
export function once<T>(subscribe: (handler: (payload: T) => void) => () => void, what = 'event', timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off()
      reject(new Error(`timed out waiting for ${what}`))
    }, timeoutMs)
    const off = subscribe((payload) => {
      clearTimeout(timer)
      off()
      resolve(payload)
    })
  })
}
