/**
 * `vue-realtime-chat/protocol`: the building blocks under the client, for a transport of your own
 * or its tests: the pure `Timeline`, frame decoding (never throws) and encoding, id and timestamp
 * normalisation, the socket URL and reconnect backoff. Apps use `vue-realtime-chat` or
 * `vue-realtime-chat/core` instead.
 */
export { Timeline } from '../core/timeline/timeline'
export type { LiveOutcome, OutboxEntry, ReplayResult, TimelineOptions } from '../core/timeline/timeline'
export { showCachedHistory, storedHistory } from '../core/timeline/cached-history'
export { decodeFrame, encodeExtension, encodeMessage, normaliseUserId, parseTimestamp } from '../core/transport/protocol'
export type { DecodeOptions, DecodeResult, HistoryFrame, InboundFrame, LiveFrame, ReadFrame, TypingFrame } from '../core/transport/protocol'
export { chatSocketUrl, parsePeerId, resolveUrls } from '../core/transport/urls'
export type { EndpointUrls, LocationLike, ResolveUrlsOptions } from '../core/transport/urls'
export { computeBackoff } from '../core/transport/backoff'
export type { BackoffOptions } from '../core/transport/backoff'
