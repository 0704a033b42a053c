/**
 * Our core, loaded through the contract modules. While an implementation has not landed the
 * contract only *declares* it, so the runtime export is missing: scenarios report "not available"
 * instead of crashing the whole benchmark.
 */
import { ChatError } from '../../src/core/errors'
import * as protocol from '../../src/core/transport/protocol'
import * as timeline from '../../src/core/timeline/timeline'
import type { ConversationSnapshot } from '../../src/core/types'
import { PEER_ID, SELF_ID } from './frames'

export interface Core {
  decodeFrame: typeof protocol.decodeFrame
  decodeInbound: typeof protocol.decodeInbound
  Timeline: typeof timeline.Timeline
}

/** The core, or the reason it cannot run yet. */
export function loadCore(): Core | string {
  const { decodeFrame, decodeInbound } = protocol as Partial<Core>
  const Timeline = (timeline as Partial<Core>).Timeline
  if (typeof decodeFrame !== 'function' || typeof decodeInbound !== 'function') return 'decodeFrame is not implemented yet (src/core/protocol.ts)'
  if (typeof Timeline !== 'function') return 'Timeline is not implemented yet (src/core/timeline.ts)'
  return { decodeFrame, decodeInbound, Timeline }
}

/** A timeline for SELF_ID talking to PEER_ID, with the default id source (as the runtime uses it). */
export function newTimeline(core: Core): InstanceType<Core['Timeline']> {
  return new core.Timeline({ selfId: String(SELF_ID), peerId: String(PEER_ID), now: Date.now })
}

/**
 * Decode history frames into the timeline's replay exactly as the runtime does (connection.ts
 * `#onMessage` → conversation → `Timeline.addReplayFrame`, with the internal `decodeInbound`);
 * returns how many were rejected.
 */
export function feedReplay(core: Core, tl: InstanceType<Core['Timeline']>, frames: readonly string[]): number {
  let rejected = 0
  for (const data of frames) {
    const frame = core.decodeInbound(data, false)
    if (!(frame instanceof ChatError) && frame.kind === 'history') tl.addReplayFrame(frame)
    else rejected++
  }
  return rejected
}

/** The snapshot the conversation runtime hands to the Vue store after a replay. */
export function snapshotOf(tl: InstanceType<Core['Timeline']>): ConversationSnapshot {
  return {
    peerId: String(PEER_ID),
    status: 'live',
    messages: tl.messages(),
    source: 'replay',
    unreadCount: tl.unreadCount,
    hasPending: false,
    error: null,
    peerTyping: false,
    attempt: 0,
  }
}
