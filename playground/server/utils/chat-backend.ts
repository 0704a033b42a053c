/**
 * The embedded dev backend: one `createChatBackend` (the same protocol logic as the test server)
 * per Nitro process, its messages in PGlite. Created on first use, so a playground pointed at
 * another backend never opens the database.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createChatBackend } from '../../../src/testing/backend'
import type { ChatBackend } from '../../../src/testing/backend'
import type { MessageStore } from '../../../src/testing/types'
import { PLAYGROUND_USERS } from '../../users'
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
  database: Promise<PgliteMessageStore>
}

let instance: Embedded | undefined

/** Tokens must survive a restart of the dev server, so a generated secret is kept next to the data. */
function loadSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret')
  try {
    const saved = readFileSync(file, 'utf8').trim()
    if (saved) return saved
  }
  catch {
    // First start: no secret yet.
  }
  const secret = randomBytes(32).toString('hex')
  writeFileSync(file, secret, { mode: 0o600 })
  return secret
}

function create(config: EmbeddedBackendConfig): Embedded {
  mkdirSync(config.dataDir, { recursive: true })
  // Opening PGlite takes seconds (longer on first start): REST answers meanwhile, message reads
  // and writes wait for it.
  const database = createPgliteStore(join(config.dataDir, 'pg'))
  const store: MessageStore = {
    append: async message => (await database).append(message),
    list: async (a, b) => (await database).list(a, b),
  }
  const backend = createChatBackend({
    store,
    users: [...PLAYGROUND_USERS],
    secret: config.secret || loadSecret(config.dataDir),
    accessTtlSeconds: Number(config.accessTtlSeconds),
    refreshTtlSeconds: Number(config.refreshTtlSeconds),
    // The playground demonstrates the typing indicator on its own backend.
    extensions: true,
  })
  return { backend, database }
}

/** The embedded backend config, `null` when it is disabled (the app talks to another origin). */
function embeddedConfig(): EmbeddedBackendConfig | null {
  const config = useRuntimeConfig().chatBackend as EmbeddedBackendConfig
  return config.enabled && String(config.enabled) !== 'false' ? config : null
}

/** The embedded backend, or `null` when it is disabled. */
export function useEmbeddedBackend(): ChatBackend | null {
  const config = embeddedConfig()
  if (!config) return null
  instance ??= create(config)
  return instance.backend
}

/** Resolves once the database is open (rejects if it cannot be opened). */
export async function embeddedDatabaseReady(): Promise<void> {
  if (!useEmbeddedBackend() || !instance) return
  await instance.database
}

/** Start opening the database now rather than on the first request. */
export function warmUpEmbeddedBackend(): void {
  useEmbeddedBackend()
}

/** Drop every socket and close the database (Nitro shutdown). */
export async function closeEmbeddedBackend(): Promise<void> {
  const current = instance
  instance = undefined
  if (!current) return
  current.backend.dropAll()
  current.backend.dispose()
  const database = await current.database.catch(() => null)
  await database?.close()
}
