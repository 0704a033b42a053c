// The default column of the option tables (options.md, nuxt.md), read from the code: the core's
// DEFAULTS and the Nuxt module's runtime config defaults, flattened (`reconnect.maxDelayMs`).
import { DEFAULTS } from '../../src/core/defaults'
import { defaults as nuxtDefaults } from '../../nuxt-module/src/defaults'

/** `{ reconnect: { maxDelayMs: 1 } }` → `{ 'reconnect.maxDelayMs': '1' }`, strings quoted as in code. */
export function formatDefaults(value: object, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, v] of Object.entries(value)) {
    if (v !== null && typeof v === 'object') Object.assign(out, formatDefaults(v as object, `${prefix}${key}.`))
    else out[prefix + key] = typeof v === 'string' ? `'${v}'` : String(v)
  }
  return out
}

export default {
  load: () => ({ core: formatDefaults(DEFAULTS), nuxt: formatDefaults(nuxtDefaults) }),
}
