/**
 * The embedded dev backend: one `createChatBackend` (the same protocol logic as the test server)
 * per Nitro process, its messages in PGlite. Created on first use so a playground pointed at
 * another backend never opens the database.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createChatBackend } from '../../../src/testing/backend'
import type { ChatBackend } from '../../../src/testing/backend'
import { createPgliteStore } from './pglite-store'
import type { PgliteMessageStore } from './pglite-store'

/** Server-only settings (`runtimeConfig.chatBackend`, `NUXT_CHAT_BACKEND_*` at run time). */
export interface EmbeddedBackendConfig {
  enabled: boolean
  dataDir: string
  accessTtlSeconds: number
  refreshTtlSeconds: number
  secret: string
}

interface Embedded {
  backend: ChatBackend
  store: PgliteMessageStore
}

let instance: Promise<Embedded> | undefined

/** Tokens must survive a restart of the dev server, so a generated secret is kept next to the data. */
async function loadSecret(dataDir: string): Promise<string> {
  const file = join(dataDir, 'jwt-secret')
  try {
    const saved = (await readFile(file, 'utf8')).trim()
    if (saved) return saved
  }
  catch {
    // First start: no secret yet.
  }
  const secret = randomBytes(32).toString('hex')
  await writeFile(file, secret, { mode: 0o600 })
  return secret
}

async function create(config: EmbeddedBackendConfig): Promise<Embedded> {
  await mkdir(config.dataDir, { recursive: true })
  const secret = config.secret || await loadSecret(config.dataDir)
  const store = await createPgliteStore(join(config.dataDir, 'pg'))
  const backend = createChatBackend({
    store,
    secret,
    accessTtlSeconds: Number(config.accessTtlSeconds),
    refreshTtlSeconds: Number(config.refreshTtlSeconds),
    // The playground demonstrates the typing indicator on its own backend.
    extensions: true,
  })
  return { backend, store }
}

/** The embedded backend, or `null` when it is disabled (the app talks to another origin). */
export function useEmbeddedBackend(): Promise<ChatBackend> | null {
  const config = useRuntimeConfig().chatBackend as EmbeddedBackendConfig
  if (!config.enabled || String(config.enabled) === 'false') return null
  instance ??= create(config).catch((error: unknown) => {
    instance = undefined
    throw error
  })
  return instance.then(i => i.backend)
}

/** Close the database (Nitro shutdown). */
export async function closeEmbeddedBackend(): Promise<void> {
  const current = instance
  instance = undefined
  if (!current) return
  const { backend, store } = await current.catch(() => ({ backend: null, store: null }))
  backend?.dropAll()
  backend?.dispose()
  await store?.close()
}
