/**
 * `createChatClient()`: auth plus a pool of conversations keyed by peer id, ref-counted, that
 * connect once a user is signed in and close when the last consumer releases them.
 */
import { createAuth } from './auth/auth'
import { createConversationCore, type ConversationCore, type NotifyStrategy } from './conversation/conversation'
import { ChatError } from './errors'
import { OwnerLease } from './persistence/owner-lease'
import { resolveOptions, type ChatRuntimeInjections, type ResolvedOptions } from './options'
import type {
  AuthState,
  ChatClient,
  ChatClientOptions,
  Conversation,
  ConversationSnapshot,
  SendResult,
  UserId,
} from './types'
import { removeItem } from './persistence/safe-storage'
import { storageKeys } from './persistence/storage-keys'
import { clearUserData } from './persistence/user-data'
import { parsePeerId } from './transport/urls'

/** Options of `createChatClient`: the public `ChatClientOptions` plus environment injections. */
export type CreateChatClientOptions = ChatClientOptions & ChatRuntimeInjections & {
  /**
   * How subscribers are batched. `'timeout'`: a lone change is notified on the next 0 ms timer;
   * during a burst at most one notification per 16 ms, the interval doubling up to 100 ms while
   * the burst lasts, and the last change is always notified. `'microtask'`: one notification per
   * microtask checkpoint, which in a browser is one per WebSocket message (each is its own task).
   * @default 'timeout'
   */
  notify?: NotifyStrategy
  /**
   * A client that never connects (a server render): no cross-tab channel, no locks, no outbox
   * heartbeat, no token refresh (scheduled or on demand), nothing that keeps a timer or port alive.
   * It still logs in, reads tokens and renders stored state. The Vue plugin sets it when `connect` is off.
   * @default true when no WebSocket constructor is available, else false
   */
  passive?: boolean
}

function randomId(random: () => number): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto
  if (c?.randomUUID) return c.randomUUID()
  return `${Date.now().toString(36)}-${Math.floor(random() * 2 ** 48).toString(36)}`
}

interface PoolEntry {
  core: ConversationCore
  refs: number
}

/** A conversation that can never connect (invalid peer id): every call is inert. */
function invalidConversation(peerId: string, error: ChatError): Conversation {
  const snapshot: ConversationSnapshot = Object.freeze({
    peerId,
    status: 'closed',
    messages: Object.freeze([]),
    source: 'none',
    unreadCount: 0,
    hasPending: false,
    error,
    peerTyping: false,
    attempt: 0,
  })
  const noop = (): void => {}
  return {
    peerId,
    getSnapshot: () => snapshot,
    subscribe: () => noop,
    on: () => noop,
    send: (): SendResult => ({ ok: false, error }),
    retry: noop,
    discard: noop,
    markRead: noop,
    notifyTyping: noop,
    reconnect: noop,
    release: noop,
  }
}

/**
 * Create a chat client: REST auth, then one ref-counted `Conversation` per peer.
 *
 * @example
 * import WebSocket from 'ws' // Node only; browsers have a global WebSocket
 * const client = createChatClient({ baseUrl: 'https://school.example', WebSocket })
 * await client.auth.login(email, password)
 * const chat = client.conversation(123)
 * chat.subscribe(() => render(chat.getSnapshot()))
 * chat.send('Hello!')
 * chat.release()
 */
export function createChatClient(options: CreateChatClientOptions = {}): ChatClient {
  const resolved: ResolvedOptions = resolveOptions(options)
  const passive = options.passive ?? !resolved.WebSocket
  const keys = storageKeys(resolved.storageKey)
  const pool = new Map<UserId, PoolEntry>()
  let destroyed = false
  let counter = 0
  const instance = randomId(resolved.random)
  const newId = (): string => `${instance}:${(++counter).toString(36)}`

  const lease = new OwnerLease({
    ...resolved,
    ownerId: instance,
    passive,
    onCorrupt: key => resolved.logger?.warn?.('[client] unreadable outbox dropped', { key }),
    onTick: () => {
      // An owner died since the last replay: once its messages are ours, reconnect so a replay settles
      // them (a claim storage refused costs no reconnect; the next tick tries again).
      for (const { core } of pool.values()) {
        if (core.tick()) core.reconnect()
      }
    },
  })

  // Loaded on demand: an app without the history cache never loads its module.
  const history = resolved.historyCache && !passive
    ? import('./conversation/history').then(
        m => m.createHistorySession(resolved.historyCache!, resolved.storageKey, resolved.logger),
        // A chunk that fails to load (offline on a first visit, a deploy that removed it): no cache.
        (error: unknown) => {
          resolved.logger?.warn?.('[history-cache] its module did not load; conversations open without it', { error: String(error) })
          return null
        },
      )
    : null
  const clearHistory = (userId: UserId): void => void history?.then(s => s?.clear(userId))

  // The last signed-in user: an expired session (`unauthorized`) no longer names it, a logout still must.
  let lastUserId: UserId | null = null
  const auth = createAuth({
    ...resolved,
    storage: resolved.tokenStorage,
    passive,
    instanceId: instance,
    onLogout: () => {
      if (lastUserId !== null && !passive) {
        clearUserData(resolved.storage, keys, lastUserId, owner => owner === instance || lease.isDead(owner))
        clearHistory(lastUserId)
      }
      lastUserId = null
    },
  })
  lastUserId = auth.getState().userId

  /** Build the timeline of `userId`; persisted data that still breaks it is dropped, never thrown into the app. */
  function setUser(core: ConversationCore, userId: UserId | null): void {
    try {
      core.setUser(userId)
    }
    catch {
      if (userId === null) return
      const key = keys.outbox(userId, core.peerId)
      lease.corrupt(key)
      removeItem(resolved.storage, key)
      core.setUser(null)
      core.setUser(userId)
    }
  }

  function apply(core: ConversationCore, state: AuthState): void {
    if (state.status === 'unauthorized') {
      core.stop('unauthorized')
      return
    }
    const userId = state.status === 'anonymous' ? null : state.userId
    setUser(core, userId)
    if (userId === null) core.stop('idle')
    else if (!passive) core.start()
  }

  const offAuth = auth.subscribe(() => {
    if (destroyed) return
    const state = auth.getState()
    if (state.userId !== null) {
      // Another user signed in on this device: the previous one's cached history goes.
      if (lastUserId !== null && lastUserId !== state.userId) clearHistory(lastUserId)
      lastUserId = state.userId
    }
    for (const { core } of pool.values()) apply(core, state)
  })

  function handle(entry: PoolEntry, acquired: boolean): Conversation {
    const { core } = entry
    let released = !acquired
    return {
      peerId: core.peerId,
      getSnapshot: () => core.getSnapshot(),
      subscribe: listener => core.subscribe(listener),
      on: (event, handler) => core.on(event, handler),
      send: text => core.send(text),
      retry: id => core.retry(id),
      discard: id => core.discard(id),
      markRead: () => core.markRead(),
      notifyTyping: () => core.notifyTyping(),
      reconnect: () => {
        if (!passive) core.reconnect()
      },
      release: () => {
        if (released) return
        released = true
        entry.refs -= 1
        if (entry.refs <= 0 && pool.get(core.peerId) === entry) {
          pool.delete(core.peerId)
          core.close()
        }
      },
    }
  }

  return {
    auth: auth.api,
    conversation(peerId) {
      const parsed = parsePeerId(peerId)
      if (!parsed.ok) return invalidConversation(String(peerId), parsed.error)
      if (destroyed) return invalidConversation(parsed.peerId, new ChatError('closed', 'Client destroyed'))
      let entry = pool.get(parsed.peerId)
      if (!entry) {
        const core = createConversationCore({
          peerId: parsed.peerId,
          options: resolved,
          auth,
          lease,
          newId,
          typing: resolved.extensions.typing ? resolved.extensions.typing.create : undefined,
          history,
        })
        apply(core, auth.getState())
        // Pooled only once built, so a failure above never leaves a half-built entry behind.
        entry = { core, refs: 0 }
        pool.set(parsed.peerId, entry)
      }
      entry.refs += 1
      return handle(entry, true)
    },
    peek(peerId) {
      const parsed = parsePeerId(peerId)
      if (!parsed.ok) return undefined
      const entry = pool.get(parsed.peerId)
      return entry ? handle(entry, false) : undefined
    },
    destroy() {
      if (destroyed) return
      destroyed = true
      offAuth()
      for (const { core } of pool.values()) core.close()
      pool.clear()
      lease.release()
      auth.destroy()
    },
  }
}
