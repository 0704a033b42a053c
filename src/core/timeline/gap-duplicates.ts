/**
 * Gap duplicates: the server joins the conversation's group before it reads the history, so a
 * message stored in between arrives in the replay and again live. Right after a replay, live frames
 * that repeat its tail in order, within a short window, are that duplicate.
 */
import type { LiveFrame } from '../transport/protocol'
import type { ChatMessage } from '../types'

/** How many trailing replay messages a gap-duplicate sequence may repeat (the race lasts a few ms). */
export const GAP_MAX_FRAMES = 64

/** Watches the live frames right after a replay for its gap duplicate; held frames are never lost. */
export class GapWatch {
  readonly #windowMs: number
  readonly #now: () => number
  /** Applies a held-back frame as a real message. */
  readonly #apply: (frame: LiveFrame) => void
  #active = false
  /** Epoch ms of the last replay frame, then of the last frame the sequence consumed. */
  #lastAt = 0
  /** Trailing replay keys, oldest first: `mine` flags and contents. */
  #mine: boolean[] = []
  #content: string[] = []
  #candidates: number[] = []
  /** Live frames consumed by the current duplicate sequence (dropped or held). */
  #length = 0
  /** Frames after the last complete duplicate sequence, waiting for the next frame to decide. */
  #held: LiveFrame[] = []

  constructor(windowMs: number, now: () => number, apply: (frame: LiveFrame) => void) {
    this.#windowMs = windowMs
    this.#now = now
    this.#apply = apply
  }

  /** A replay ended at `lastFrameAt` and is now the tail of `stored`: watch for live repeats of its last keys. */
  start(stored: readonly ChatMessage[], lastFrameAt: number): void {
    const from = Math.max(0, stored.length - GAP_MAX_FRAMES)
    const mineFlags: boolean[] = []
    const contents: string[] = []
    for (let k = from; k < stored.length; k++) {
      const m = stored[k] as ChatMessage
      mineFlags.push(m.isMine)
      contents.push(m.content)
    }
    this.#mine = mineFlags
    this.#content = contents
    this.#candidates = []
    this.#length = 0
    this.#held = []
    this.#active = contents.length > 0
    this.#lastAt = lastFrameAt
  }

  /** Stop watching (the socket dropped, a replay begins): held frames are released. */
  stop(): void {
    this.#active = false
    this.#releaseHeld()
  }

  /** Release the held-back frames, in order; returns how many. */
  #releaseHeld(): number {
    const held = this.#held
    if (held.length === 0) return 0
    this.#held = []
    this.#candidates = []
    for (const f of held) this.#apply(f)
    return held.length
  }

  /** Epoch ms at which held-back frames must be released, or `null` when nothing is held. */
  deadline(): number | null {
    return this.#active && this.#held.length > 0 ? this.#lastAt + this.#windowMs : null
  }

  /** Once the window has passed, release the held frames; returns how many. */
  settle(): number {
    if (!this.#active || !this.#over(this.#now())) return 0
    this.#active = false
    return this.#releaseHeld()
  }

  /**
   * A clock that went back also ends the window: kept open, it would hold frames and take an own
   * echo for a duplicate (and resend it) for the step's length.
   */
  #over(t: number): boolean {
    const elapsed = t - this.#lastAt
    return elapsed < 0 || elapsed > this.#windowMs
  }

  /**
   * Decide one live frame against the replay tail: the live frames L1..Lk are a gap duplicate when
   * they equal the replay suffix R[n-k..n-1]. The longest such k within the window wins (several
   * messages stored in the race may be identical). Frames are held while only a longer suffix could
   * still explain them. `null`: not a duplicate (held frames are released first), apply it.
   */
  step(frame: LiveFrame, mine: boolean): 'gap-duplicate' | 'held' | null {
    if (!this.#active) return null
    const t = this.#now()
    if (this.#over(t)) {
      this.stop()
      return null
    }
    const keysMine = this.#mine
    const keysContent = this.#content
    const last = keysContent.length - 1
    const j = this.#length
    const next: number[] = []
    let completes = false
    if (j === 0) {
      for (let s = last; s >= 0; s--) {
        if (keysMine[s] === mine && keysContent[s] === frame.content) {
          if (s === last) completes = true
          else next.push(s)
        }
      }
    }
    else {
      for (const s of this.#candidates) {
        const p = s + j
        if (keysMine[p] === mine && keysContent[p] === frame.content) {
          if (p === last) completes = true
          else next.push(s)
        }
      }
    }
    this.#length = j + 1
    this.#candidates = next
    if (completes) {
      // Everything since the sequence began is a duplicate; a longer suffix may still extend it.
      this.#held = []
      if (next.length === 0) this.#active = false
      this.#lastAt = t
      return 'gap-duplicate'
    }
    if (next.length > 0) {
      this.#held.push(frame)
      this.#lastAt = t
      return 'held'
    }
    this.stop()
    return null
  }
}
