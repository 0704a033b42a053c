/**
 * The defaults of `runtimeConfig.public.chat`: the core's `DEFAULTS` in JSON (which has no
 * `Infinity`, so a limit without end is `0`) plus the module's own URL and storage keys.
 */
import { DEFAULTS } from '../../src/core/defaults'
import type { ChatPublicRuntimeConfig } from './runtime/types'

function toJson(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) out[key] = typeof v === 'object' ? toJson(v as object) : v === Number.POSITIVE_INFINITY ? 0 : v
  return out
}

/** Defaults applied to `chat` options; every key can be overridden by a `NUXT_PUBLIC_CHAT_*` variable. */
export const defaults: ChatPublicRuntimeConfig = {
  baseUrl: '',
  apiUrl: '',
  wsUrl: '',
  tokenStorage: '',
  ...toJson(DEFAULTS) as Omit<ChatPublicRuntimeConfig, 'baseUrl' | 'apiUrl' | 'wsUrl' | 'tokenStorage'>,
}
