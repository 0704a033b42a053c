/**
 * Minimal JSON-over-fetch helper for the REST calls (login, refresh, me). Every failure becomes a
 * ChatError; messages name the operation, never a token or a URL.
 */
import { ChatError } from './errors'
import type { FetchLike, Scheduler } from './types'

export interface HttpOptions {
  fetch: FetchLike
  /** Used for the timeout; without it there is no timeout. */
  scheduler?: Scheduler
  /** Abort a request that has not answered after this long. @default 15000 */
  timeoutMs?: number
}

export interface JsonRequest {
  method: 'GET' | 'POST'
  url: string
  /** Serialised as JSON. */
  body?: unknown
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string
  /** Names the operation in error messages, e.g. `'login'`. */
  label: string
}

export interface JsonResponse {
  readonly status: number
  readonly ok: boolean
  /** Parsed JSON, or `null` when the body is empty or not JSON. */
  readonly body: unknown
}

/**
 * Send a JSON request. Resolves for every HTTP status (use {@link errorFromResponse} for non-2xx);
 * rejects only with ChatError `network` (no answer: refused, DNS, CORS, timeout).
 */
export async function requestJson(options: HttpOptions, request: JsonRequest): Promise<JsonResponse> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (request.body !== undefined) headers['Content-Type'] = 'application/json'
  if (request.token !== undefined) headers.Authorization = `Bearer ${request.token}`

  const controller = typeof AbortController === 'function' ? new AbortController() : null
  const timeoutMs = options.timeoutMs ?? 15_000
  let timedOut = false
  const timer = controller && options.scheduler && Number.isFinite(timeoutMs)
    ? options.scheduler.setTimeout(() => {
        timedOut = true
        controller.abort()
      }, timeoutMs)
    : undefined

  try {
    const init: Parameters<FetchLike>[1] = { method: request.method, headers }
    if (request.body !== undefined) init.body = JSON.stringify(request.body)
    if (controller) init.signal = controller.signal
    let response: Awaited<ReturnType<FetchLike>>
    try {
      response = await options.fetch(request.url, init)
    }
    catch (cause) {
      throw new ChatError('network', timedOut
        ? `${request.label}: no answer within ${timeoutMs} ms`
        : `${request.label}: the server could not be reached`, { cause: safeCause(cause) })
    }
    let text = ''
    try {
      text = await response.text()
    }
    catch (cause) {
      throw new ChatError('network', `${request.label}: the response was cut off`, { status: response.status, cause: safeCause(cause) })
    }
    return { status: response.status, ok: response.ok, body: parseJson(text) }
  }
  finally {
    if (timer !== undefined) options.scheduler?.clearTimeout(timer)
  }
}

function parseJson(text: string): unknown {
  if (text.length === 0) return null
  try {
    return JSON.parse(text) as unknown
  }
  catch {
    return null
  }
}

/** Keep the kind of failure (e.g. `ECONNREFUSED`) but drop anything that could echo a request. */
function safeCause(cause: unknown): Error {
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : cause
  const code = inner && typeof inner === 'object' && 'code' in inner && typeof inner.code === 'string' ? inner.code : undefined
  const name = inner instanceof Error ? inner.name : 'Error'
  return new Error(code ? `${name} ${code}` : name)
}

/** A plain object body, or `null`. */
export function asRecord(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : null
}

/**
 * Map a non-2xx response to a ChatError: 400 → `validation` (details: the field errors),
 * 401 → `unauthorized`, anything else → `http`. Always carries `status`.
 */
export function errorFromResponse(response: JsonResponse, label: string): ChatError {
  const details = asRecord(response.body) ?? undefined
  const options = details ? { status: response.status, details } : { status: response.status }
  if (response.status === 400)
    return new ChatError('validation', `${label}: the server rejected the request (HTTP 400)`, options)
  if (response.status === 401)
    return new ChatError('unauthorized', `${label}: not authorised (HTTP 401)`, options)
  return new ChatError('http', `${label}: unexpected HTTP ${response.status}`, options)
}
