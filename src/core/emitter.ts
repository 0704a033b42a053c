/**
 * A tiny typed event emitter shared by the core modules (auth, connection, conversation).
 * Listeners are isolated: one that throws does not stop the others, and its error never
 * surfaces inside library code.
 */

/** Maps event names to payload types, e.g. `{ change: AuthState; unauthorized: ChatError }` (interfaces work too). */
export type EventMap<Events> = { [K in keyof Events]: unknown }

export type Listener<T> = (payload: T) => void

export interface Emitter<Events extends EventMap<Events>> {
  /** Add a handler; returns a function that removes exactly this registration. */
  on<K extends keyof Events>(event: K, handler: Listener<Events[K]>): () => void
  /** Call every handler registered for `event` (registrations made during the call wait for the next emit). */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void
  /** Remove every handler. */
  clear(): void
}

export interface EmitterOptions {
  /**
   * Receives an error thrown by a listener.
   * @default rethrown in a microtask (like `EventTarget`), so the app sees its own bug and the emitter keeps going
   */
  onListenerError?: (error: unknown, event: string) => void
}

function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error
  })
}

/**
 * Create a typed emitter.
 *
 * @example
 * const events = createEmitter<{ change: number }>()
 * const off = events.on('change', (n) => render(n))
 * events.emit('change', 1)
 * off()
 */
export function createEmitter<Events extends EventMap<Events>>(options: EmitterOptions = {}): Emitter<Events> {
  const handlers = new Map<keyof Events, Set<{ fn: Listener<never> }>>()
  const onError = options.onListenerError ?? rethrowLater

  return {
    on(event, handler) {
      let set = handlers.get(event)
      if (!set) {
        set = new Set()
        handlers.set(event, set)
      }
      // A fresh entry per registration: the same function added twice is removed one at a time.
      const entry = { fn: handler as Listener<never> }
      set.add(entry)
      return () => {
        set.delete(entry)
      }
    },
    emit(event, payload) {
      const set = handlers.get(event)
      if (!set) return
      for (const entry of [...set]) {
        if (!set.has(entry)) continue
        try {
          ;(entry.fn as Listener<Events[typeof event]>)(payload)
        }
        catch (error) {
          onError(error, String(event))
        }
      }
    },
    clear() {
      handlers.clear()
    },
  }
}
