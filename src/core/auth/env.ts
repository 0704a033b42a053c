/** What every part of auth gets from the controller: its environment and the shared services. */
import type { Emitter } from '../emitter'
import type { ChatAuthEvents, Scheduler } from '../types'
import type { HttpOptions } from './http'

/** Runs `task` under the cross-tab refresh lock. */
export type RefreshLock = <T>(task: () => Promise<T> | T) => Promise<T>

/** Built once per controller; every part of auth gets the same one. */
export interface AuthEnv {
  readonly http: HttpOptions
  /** REST base, without a trailing slash. */
  readonly apiUrl: string
  readonly scheduler: Scheduler
  now(): number
  /** SSR: never refresh, schedule nothing. */
  readonly passive: boolean
  /** Tells this controller's cross-tab messages and storage markers from other tabs'. */
  readonly instanceId: string
  /** `null` without Web Locks (or cross-tab coordination). */
  readonly lock: RefreshLock | null
  readonly events: Emitter<ChatAuthEvents>
  /** Never throws (a broken logger must not break auth). */
  log(level: 'debug' | 'warn', message: string, details?: Record<string, unknown>): void
}
