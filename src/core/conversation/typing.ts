/**
 * The typing extension of one conversation: throttled typing frames out, the peer's typing flag in
 * (it lapses after `typingTimeoutMs`, and when the peer's message arrives or the socket drops).
 * Opt-in: only an app that passes `typingExtension` bundles it.
 */
import type { TypingExtension, TypingParts } from '../extensions'
import type { Scheduler } from '../types'
import { encodeExtension } from '../transport/protocol'

/** The typing state of one conversation. */
export interface Typing {
  /** The peer is typing. */
  readonly peerTyping: boolean
  /** The user is typing: send a typing frame unless one went out within `typingThrottleMs`. */
  notify(): void
  /** The peer started (a typing frame) or stopped typing. */
  peer(typing: boolean): void
  /** Cancel the timer (the conversation closed). */
  stop(): void
}

/** Builds the typing state of one conversation: `send` writes a frame (`false` when not live), `changed` reports a new `peerTyping`. */
export type TypingFactory = (
  options: { readonly scheduler: Scheduler; readonly typingThrottleMs: number; readonly typingTimeoutMs: number },
  send: (frame: string) => boolean,
  changed: () => void,
) => Typing

/** The typing extension. */
export const createTyping: TypingFactory = ({ scheduler, typingThrottleMs, typingTimeoutMs }, send, changed) => {
  let lastSent = -Infinity
  let timer: unknown = null
  let peerTyping = false
  const stop = (): void => {
    if (timer !== null) scheduler.clearTimeout(timer)
    timer = null
  }
  const typing: Typing = {
    get peerTyping() {
      return peerTyping
    },
    notify() {
      const now = scheduler.now()
      if (now - lastSent >= typingThrottleMs && send(encodeExtension('typing'))) lastSent = now
    },
    peer(value) {
      stop()
      if (value) timer = scheduler.setTimeout(() => typing.peer(false), typingTimeoutMs)
      if (peerTyping !== value) {
        peerTyping = value
        changed()
      }
    },
    stop,
  }
  return typing
}

const parts: TypingParts = { extension: 'typing', create: createTyping }

/**
 * The typing extension: `extensions: { typing: typingExtension }`. `notifyTyping()` sends a typing
 * frame (throttled) and the peer's frames set `peerTyping`. Only for servers that accept the frames.
 */
export const typingExtension: TypingExtension = parts
