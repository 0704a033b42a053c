/**
 * What callers see: the stored messages as frozen `ChatMessage` views (replaced by a new object on
 * any change, so that UIs can compare by identity), the version that counts visible changes, and
 * the display list built once per version.
 */
import type { ChatErrorCode } from '../errors'
import type { ChatMessage, MessageStatus, UserId } from '../types'
import type { Entry } from './unsent-queue'

/** Local time of a message (epoch ms) as its `createdAt`. */
export const isoOf = (ms: number): string => new Date(ms).toISOString()

/** The stored messages and their views; the one version of the timeline. */
export class Display {
  /** Stored messages (all `sent`) in server order: replay order, then live arrivals. A replay replaces the array. */
  stored: ChatMessage[] = []
  /** Increments on every visible change. */
  version = 0
  /**
   * Shown while nothing is stored yet: cached history, or what a first replay built so far. Dropped
   * when a replay ends; the stored messages then take their ids, so a keyed list keeps its rows.
   */
  preview: readonly ChatMessage[] | null = null
  /** Preview messages by key (sender, server time, text), oldest first, waiting to lend their ids. */
  #lend: Map<string, ChatMessage[]> | null = null
  readonly #self: UserId
  readonly #peer: UserId
  #list: readonly ChatMessage[] = []
  #listVersion = -1

  constructor(selfId: UserId, peerId: UserId) {
    this.#self = selfId
    this.#peer = peerId
  }

  /** A visible change; true (so that a method can return it). */
  changed(): true {
    this.version++
    return true
  }

  /** One frozen message of the conversation. */
  make(id: string, mine: boolean, content: string, createdAt: string, serverTime: boolean, status: MessageStatus, isRead: boolean, error?: ChatErrorCode): ChatMessage {
    const self = this.#self
    const peer = this.#peer
    const m: { -readonly [K in keyof ChatMessage]: ChatMessage[K] } = { id, senderId: mine ? self : peer, receiverId: mine ? peer : self, content, createdAt, serverTime, status, isMine: mine, isRead }
    if (error) m.error = error
    return Object.freeze(m)
  }

  /** A stored message again with another `isRead`. */
  withRead(m: ChatMessage, isRead: boolean): ChatMessage {
    return this.make(m.id, m.isMine, m.content, m.createdAt, m.serverTime, 'sent', isRead)
  }

  /** The cached view of an own unsent message. */
  view(e: Entry): ChatMessage {
    return e.msg ??= this.make(e.id, true, e.content, e.createdAt, false, e.status, false, e.error)
  }

  /**
   * The preview's messages lend their ids to the stored messages the running replay builds. Called
   * again whenever those built so far are discarded (a new replay, messages built ahead rebuilt).
   */
  lendPreview(): void {
    const preview = this.preview
    this.#lend = null
    if (preview === null) return
    const lend = this.#lend = new Map<string, ChatMessage[]>()
    for (const m of preview) {
      const key = (m.isMine ? 'm' : 'p') + m.createdAt + m.content
      const same = lend.get(key)
      if (same) same.push(m)
      else lend.set(key, [m])
    }
  }

  /**
   * A stored message as the replay builds it: the preview's copy itself when it shows the same (a
   * keyed list then renders nothing new), else a new view under the preview's id, else a new id.
   */
  stable(newId: () => string, mine: boolean, content: string, createdAt: string, isRead: boolean): ChatMessage {
    const p = this.#lend?.get((mine ? 'm' : 'p') + createdAt + content)?.shift()
    if (p !== undefined && p.isRead === isRead) return p
    return this.make(p?.id ?? newId(), mine, content, createdAt, true, 'sent', isRead)
  }

  /** A replay ended: the stored messages are the view now. */
  dropPreview(): void {
    this.preview = null
    this.#lend = null
  }

  /** Stored messages, then own unsent ones (`unsent`): the same array until the version changes. */
  list(unsent: readonly Entry[]): readonly ChatMessage[] {
    if (this.#listVersion !== this.version) {
      const out = this.stored.length === 0 && this.preview !== null ? this.preview.slice() : this.stored.slice()
      for (const e of unsent) out.push(this.view(e))
      this.#list = Object.freeze(out)
      this.#listVersion = this.version
    }
    return this.#list
  }
}
