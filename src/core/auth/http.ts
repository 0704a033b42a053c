/**
 * Minimal JSON-over-fetch helper for the REST calls (login, refresh, me). Every failure becomes a
 * ChatError; messages name the operation, never a token or a URL.
 */
import { ChatError } from '../errors'
import type { FetchLike, Scheduler } from '../types'

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
  const { label, body, token } = request
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (token !== undefined) headers.Authorization = `Bearer ${token}`

  const controller = new AbortController()
  const { scheduler, timeoutMs = 15_000 } = options
  let timedOut = false
  const timer = scheduler && Number.isFinite(timeoutMs)
    ? scheduler.setTimeout(() => {
        timedOut = true
        controller.abort()
      }, timeoutMs)
    : undefined
  let status: number | undefined
  try {
    const response = await options.fetch(request.url, {
      method: request.method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    })
    status = response.status
    const text = await response.text()
    let parsed: unknown = null
    try {
      parsed = text ? JSON.parse(text) : null
    }
    catch {
      // Not JSON (an HTML error page): the status says enough.
    }
    return { status, ok: response.ok, body: parsed }
  }
  catch (cause) {
    const why = timedOut ? `no answer within ${timeoutMs} ms` : status === undefined ? 'server unreachable' : 'response cut off'
    throw new ChatError('network', `${label}: ${why}`, { status, cause: safeCause(cause) })
  }
  finally {
    if (timer !== undefined) scheduler?.clearTimeout(timer)
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
  const { status } = response
  return new ChatError(status === 400 ? 'validation' : status === 401 ? 'unauthorized' : 'http', `${label}: HTTP ${status}`, {
    status,
    details: asRecord(response.body) ?? undefined,
  })
}
