/**
 * Every key the core writes, built in one place. Data of one user lives under keys that name the
 * user, and the user's index lists the peers it has data for, so a logout can remove all of it.
 */
import type { UserId } from '../types'

/** The key builders under one prefix. */
export interface StorageKeys {
  /** The signed-in session (tokens, profile); in the token storage. */
  readonly auth: string
  /** A client instance's outbox-owner heartbeat. */
  owner(ownerId: string): string
  /** The outbox owners that may have a heartbeat key (pruned as they die). */
  readonly owners: string
  /** Unsent own messages to `peerId`. */
  outbox(self: UserId, peerId: UserId): string
  /** The own read marker in the conversation with `peerId`. */
  read(self: UserId, peerId: UserId): string
  /** The peer's read receipts (a count of own messages). */
  peerRead(self: UserId, peerId: UserId): string
  /** The peers `self` has stored data for. */
  peers(self: UserId): string
  /** What `self`'s replays showed: the server's time to the first frame, the conversations that were empty. */
  replay(self: UserId): string
}

/** Every key under `prefix` (the `storageKey` option). */
export function storageKeys(prefix: string): StorageKeys {
  return {
    auth: `${prefix}:auth`,
    owner: ownerId => `${prefix}:owner:${ownerId}`,
    owners: `${prefix}:owners`,
    outbox: (self, peerId) => `${prefix}:outbox:${self}:${peerId}`,
    read: (self, peerId) => `${prefix}:read:${self}:${peerId}`,
    peerRead: (self, peerId) => `${prefix}:peerRead:${self}:${peerId}`,
    peers: self => `${prefix}:peers:${self}`,
    replay: self => `${prefix}:replay:${self}`,
  }
}
