/**
 * Endpoint URLs: REST and WebSocket bases from `baseUrl` (or the page location) and the chat
 * socket URL for one peer. No URL goes into an error or a log: the socket URL carries the token.
 */
import { ChatError } from '../errors'
import { normaliseUserId } from './protocol'
import type { UserId } from '../types'

/** REST and WebSocket bases, without a trailing slash. */
export interface EndpointUrls {
  /** e.g. `https://school.example` (REST calls go to `{apiUrl}/api/...`). */
  readonly apiUrl: string
  /** e.g. `wss://school.example` (sockets go to `{wsUrl}/ws/chat/{peerId}/`). */
  readonly wsUrl: string
}

/** The bits of `window.location` the resolver reads (injectable for tests). */
export interface LocationLike {
  readonly protocol: string
  readonly host: string
}

export interface ResolveUrlsOptions {
  baseUrl?: string
  apiUrl?: string
  wsUrl?: string
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '')
}

/** `http://x` → `ws://x`, `https://x` → `wss://x`; `ws(s)://` kept as is. */
export function toWebSocketUrl(url: string): string {
  return trimSlash(url.trim()).replace(/^http(s?):\/\//i, (_m, s: string) => `ws${s.toLowerCase()}://`)
}

function browserLocation(): LocationLike | undefined {
  const loc = (globalThis as { location?: Partial<LocationLike> }).location
  return loc?.protocol && loc.host ? { protocol: loc.protocol, host: loc.host } : undefined
}

/**
 * Resolve the REST and WebSocket bases. Explicit `apiUrl` / `wsUrl` win; otherwise both derive from
 * `baseUrl`, else from the page location (browser). Without any of them (SSR, Node) they are `''`:
 * REST calls then fail with a `network` ChatError and no socket is opened.
 */
export function resolveUrls(options: ResolveUrlsOptions, location: LocationLike | undefined = browserLocation()): EndpointUrls {
  const origin = options.baseUrl
    ? trimSlash(options.baseUrl.trim())
    : location ? `${location.protocol}//${location.host}` : ''
  const apiUrl = options.apiUrl ? trimSlash(options.apiUrl.trim()) : origin
  const wsUrl = options.wsUrl ? toWebSocketUrl(options.wsUrl) : origin ? toWebSocketUrl(origin) : ''
  return { apiUrl, wsUrl }
}

/** A peer id as the server expects it, or an `invalid_peer` ChatError. Never throws. */
export function parsePeerId(peerId: unknown): { ok: true; peerId: UserId; error?: undefined } | { ok: false; error: ChatError } {
  const id = normaliseUserId(peerId)
  if (id === null) {
    return {
      ok: false,
      error: new ChatError('invalid_peer', 'The peer id must be a non-negative integer', {
        details: { peerId: typeof peerId === 'string' || typeof peerId === 'number' ? String(peerId).slice(0, 40) : typeof peerId },
      }),
    }
  }
  return { ok: true, peerId: id }
}

/** `{wsUrl}/ws/chat/{peerId}/?token={token}` (the trailing slash is required by the server). */
export function chatSocketUrl(wsUrl: string, peerId: UserId, token: string): string {
  return `${trimSlash(wsUrl)}/ws/chat/${encodeURIComponent(peerId)}/?token=${encodeURIComponent(token)}`
}
