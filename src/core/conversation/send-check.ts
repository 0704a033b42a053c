/**
 * Validation of a text before it enters the timeline: what the user can fix is refused with a
 * typed error and never queued.
 */
import { ChatError } from '../errors'
import { OUTBOX_MAX_CHARS, OUTBOX_MAX_ENTRIES } from '../persistence/outbox'
import type { ResolvedOptions } from '../options'
import { UNSTORABLE, type OutboxEntry } from '../timeline/timeline'

/** The content to queue (trimmed unless `trim` is off), or why `text` cannot be sent next to `unsent`. */
export function checkSend(text: string, options: Pick<ResolvedOptions, 'trim' | 'allowEmpty' | 'maxMessageLength'>, unsent: readonly OutboxEntry[]): string | ChatError {
  const content = options.trim ? text.trim() : text
  if (!options.allowEmpty && content.trim() === '') {
    return new ChatError('empty_message', 'The message is empty')
  }
  if (UNSTORABLE.test(content)) {
    return new ChatError('invalid_message', 'The message has a NUL or an unpaired surrogate')
  }
  const max = options.maxMessageLength
  if (content.length > max) {
    return new ChatError('message_too_long', `The message is longer than ${max} characters`, { details: { length: content.length, max } })
  }
  const entries = unsent.length
  const chars = unsent.reduce((n, e) => n + e.content.length, 0)
  if (entries >= OUTBOX_MAX_ENTRIES || chars + content.length > OUTBOX_MAX_CHARS) {
    return new ChatError('outbox_full', 'Too many unsent messages', { details: { entries, chars, maxEntries: OUTBOX_MAX_ENTRIES, maxChars: OUTBOX_MAX_CHARS } })
  }
  return content
}
