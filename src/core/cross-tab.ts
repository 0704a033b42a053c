/**
 * Cross-tab coordination primitives: the subset of the Web Locks API and of BroadcastChannel the
 * core uses, how to find them in the environment, and an in-process lock manager for tests.
 */

/**
 * The part of the Web Locks API (`navigator.locks`) the core uses: `request` (an exclusive lock held
 * while `callback` runs) for token refresh and outbox ownership, `query` (optional) to tell at once
 * that another tab's owner lock is gone.
 */
export interface LockManagerLike {
  request<T>(name: string, callback: (lock: unknown) => Promise<T> | T): Promise<T>
  query?(): Promise<{ held?: ReadonlyArray<{ name?: string }> }>
}

/** The part of `BroadcastChannel` the core uses. */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void
  onmessage: ((event: { data: unknown }) => void) | null
  close(): void
}

/** `navigator.locks` when the environment has it (browsers), otherwise `null` (Node, old Safari). */
export function defaultLocks(): LockManagerLike | null {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator
  return nav?.locks && typeof nav.locks.request === 'function' ? nav.locks : null
}

/** A factory for `BroadcastChannel` when the environment has one (browsers, Node ≥ 18), otherwise `null`. */
export function defaultChannelFactory(): ((name: string) => BroadcastChannelLike) | null {
  const Ctor = (globalThis as { BroadcastChannel?: new (name: string) => BroadcastChannelLike }).BroadcastChannel
  return typeof Ctor === 'function' ? name => new Ctor(name) : null
}

/** Open a channel, or `null` when the factory is missing or throws (sandboxed iframes, opaque origins). */
export function openChannel(factory: ((name: string) => BroadcastChannelLike) | null | undefined, name: string): BroadcastChannelLike | null {
  if (!factory) return null
  try {
    return factory(name)
  }
  catch {
    return null
  }
}

/**
 * An exclusive, FIFO lock manager living in one JS realm. Clients created in the same process with
 * the same instance behave like tabs sharing `navigator.locks`: handy in tests and in Node.
 *
 * @example
 * const locks = createInProcessLocks()
 * const tabA = createChatClient({ ...options, storage, locks })
 * const tabB = createChatClient({ ...options, storage, locks })
 */
export function createInProcessLocks(): LockManagerLike & { held(name: string): boolean } {
  const tails = new Map<string, Promise<void>>()
  const holding = new Set<string>()
  return {
    held: name => holding.has(name),
    request<T>(name: string, callback: (lock: unknown) => Promise<T> | T): Promise<T> {
      const previous = tails.get(name) ?? Promise.resolve()
      let release!: () => void
      const tail = new Promise<void>((resolve) => {
        release = resolve
      })
      tails.set(name, tail)
      return previous.then(async () => {
        holding.add(name)
        try {
          return await callback({ name, mode: 'exclusive' })
        }
        finally {
          holding.delete(name)
          if (tails.get(name) === tail) tails.delete(name)
          release()
        }
      })
    },
  }
}
