/**
 * Opt-in protocol extensions (typing, read receipts). Each is an exported value that an app passes
 * in `extensions`, so an app that does not import one does not bundle its code. Checked here once,
 * when the options are resolved.
 */
import type { TypingFactory } from './conversation/typing'
import type { ConversationReceiptsFactory } from './conversation/read-receipts'
import { ChatSetupError } from './errors'
import type { PeerReceiptsFactory } from './timeline/peer-receipts'
import type { ExtensionOptions } from './types'

/** The typing extension, as `extensions.typing`: import `typingExtension`. */
export interface TypingExtension {
  readonly extension: 'typing'
}

/** The read-receipts extension, as `extensions.readReceipts` (and `TimelineOptions.readReceipts`): import `readReceiptsExtension`. */
export interface ReadReceiptsExtension {
  readonly extension: 'readReceipts'
}

/** What `typingExtension` carries: the conversation's typing state. */
export interface TypingParts extends TypingExtension {
  readonly create: TypingFactory
}

/** What `readReceiptsExtension` carries: the timeline's part and one user's conversation part. */
export interface ReadReceiptsParts extends ReadReceiptsExtension {
  readonly timeline: PeerReceiptsFactory
  readonly conversation: ConversationReceiptsFactory
}

/** The extensions a client runs with (`false`: off, as in `DEFAULTS`). */
export interface ResolvedExtensions {
  readonly typing: TypingParts | false
  readonly readReceipts: ReadReceiptsParts | false
}

/** `key` named something else than its extension: the message names the import. */
const setupError = (key: string): ChatSetupError => new ChatSetupError(
  'extension_missing',
  `extensions.${key} takes ${key}Extension: import { ${key}Extension } from 'vue-realtime-chat'`,
)

/**
 * The extensions `given` turns on. Off: missing or `false`. Anything else but the extension itself
 * (`true` above all) is a setup error, never a silent no-op.
 * @throws ChatSetupError `extension_missing`
 */
export function resolveExtensions(given: ExtensionOptions | undefined): ResolvedExtensions {
  if (given != null && typeof given !== 'object') throw setupError('typing')
  const pick = <K extends keyof ResolvedExtensions>(key: K): ResolvedExtensions[K] => {
    const value = given?.[key]
    if (!value) return false
    if ((value as { extension?: unknown }).extension !== key) throw setupError(key)
    return value as ResolvedExtensions[K]
  }
  return { typing: pick('typing'), readReceipts: pick('readReceipts') }
}
