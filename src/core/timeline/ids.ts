/** Ids of messages that arrive from the server: short, flat strings, unique per timeline. */

let prefixCounter = 0

/** A stored-message id factory; `prefix` tells its ids from ids of another shape (own sends). */
export type StoredIds = (() => string) & { readonly prefix: string }

/** A per-timeline random prefix + a decimal counter. */
export function storedIds(): StoredIds {
  // Short enough that ids stay flat strings (V8 makes cons strings from 13 characters on: the prefix
  // is at most 7 characters, mostly 6, so up to 1M ids). A decimal counter: `prefix + n` uses V8's
  // number-to-string fast path, where `(n).toString(36)` per message cost ~0.1x the JSON.parse floor.
  // The random part has a fixed width, so `k1` + `0` and `k` + `10` cannot both occur.
  const prefix = `${Math.floor(Math.random() * 1_679_616).toString(36).padStart(4, '0')}${(prefixCounter++).toString(36)}.`
  let n = 0
  return Object.assign(() => prefix + n++, { prefix })
}
