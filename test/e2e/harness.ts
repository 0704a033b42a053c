/**
 * E2E plumbing: the built playground as a child process (start/stop/restart on one port and one
 * data directory), Chromium via playwright-core, and a protocol-level view of the server's log.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import type { Browser, Page } from 'playwright-core'
import WebSocket from 'ws'
import { createJti, signJwt } from '../../src/testing/jwt'

const root = fileURLToPath(new URL('../..', import.meta.url))

export const USERS = {
  student: { id: 1, email: 'student@example.com', password: 'student123', name: 'Sam Student' },
  parent: { id: 2, email: 'parent@example.com', password: 'parent123', name: 'Pat Parent' },
  parent2: { id: 3, email: 'parent2@example.com', password: 'parent234', name: 'Alex Parent' },
  student2: { id: 4, email: 'student2@example.com', password: 'student234', name: 'Casey Student' },
} as const
export type UserKey = keyof typeof USERS

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

export interface PlaygroundOptions {
  accessTtlSeconds: number
  /**
   * Another chat backend (e.g. `createChatServer`'s `url`) instead of the embedded one, which is then
   * off, as are the typing and read-receipt extensions.
   */
  backendUrl?: string
  /** More environment for the playground server (e.g. `NUXT_PUBLIC_CHAT_*` runtime config). */
  env?: Record<string, string>
}

/** The built playground server, restartable on the same port with the same data directory. */
export class Playground {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'vrc-e2e-'))
  port = 0
  private child: ChildProcess | null = null
  private output = ''

  constructor(private readonly options: PlaygroundOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort()
    const child = spawn(process.execPath, [join(root, 'playground/.output/server/index.mjs')], {
      cwd: root,
      env: {
        ...process.env,
        NITRO_HOST: '127.0.0.1',
        NITRO_PORT: String(this.port),
        NITRO_SHUTDOWN_TIMEOUT: '2000',
        NUXT_CHAT_BACKEND_DATA_DIR: this.dataDir,
        NUXT_CHAT_BACKEND_ACCESS_TTL_SECONDS: String(this.options.accessTtlSeconds),
        // Refresh shortly before expiry (the default 5 min would refresh on every connect).
        NUXT_PUBLIC_CHAT_REFRESH_THRESHOLD_MS: '1000',
        NUXT_PUBLIC_CHAT_RECONNECT_MAX_DELAY_MS: '2000',
        ...(this.options.backendUrl
          ? {
              NUXT_PUBLIC_CHAT_BASE_URL: this.options.backendUrl,
              NUXT_CHAT_BACKEND_ENABLED: 'false',
              NUXT_PUBLIC_CHAT_EXTENSIONS_TYPING: 'false',
              NUXT_PUBLIC_CHAT_EXTENSIONS_READ_RECEIPTS: 'false',
            }
          : {}),
        ...this.options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.child = child
    child.stdout?.on('data', (chunk: Buffer) => { this.output += chunk.toString() })
    child.stderr?.on('data', (chunk: Buffer) => { this.output += chunk.toString() })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`playground did not start:\n${this.output}`)), 30_000)
      const onData = (chunk: Buffer) => {
        if (chunk.toString().includes('Listening on')) {
          clearTimeout(timer)
          child.stdout?.off('data', onData)
          resolve()
        }
      }
      child.stdout?.on('data', onData)
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`playground exited (${code}):\n${this.output}`))
      })
    })
    if (this.options.backendUrl) return
    // PGlite opens in the server's main thread: wait until it is done so no test pays for it.
    const response = await fetch(`${this.url}/api/_dev/ready`, { signal: AbortSignal.timeout(90_000) })
    if (response.status !== 204) throw new Error(`playground not ready (${response.status}):\n${this.output}`)
  }

  /** SIGTERM and wait for the process to exit (Nitro closes the database in its close hook). */
  async stop(): Promise<void> {
    const child = this.child
    this.child = null
    if (!child || child.exitCode !== null) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      child.kill('SIGTERM')
    })
  }

  async dispose(): Promise<void> {
    await this.stop()
    rmSync(this.dataDir, { recursive: true, force: true })
  }

  /** An access token for `user`, validly signed by this server, that expired `agoSeconds` ago. */
  expiredAccessToken(user: UserKey, agoSeconds = 60): string {
    const secret = readFileSync(join(this.dataDir, 'jwt-secret'), 'utf8').trim()
    const now = Math.floor(Date.now() / 1000)
    return signJwt({ token_type: 'access', exp: now - agoSeconds, iat: now - agoSeconds - 5, jti: createJti(), user_id: String(USERS[user].id) }, secret)
  }

  /** Server log output so far (for failure messages). */
  get log(): string {
    return this.output
  }

  async login(user: UserKey): Promise<{ access: string, refresh: string }> {
    const { email, password } = USERS[user]
    const response = await fetch(`${this.url}/api/auth/login/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    })
    if (!response.ok) throw new Error(`login failed: ${response.status}`)
    const body = await response.json() as { tokens: { access: string, refresh: string } }
    return body.tokens
  }

  /**
   * Send `text` from `from` to `to` over a socket of its own, as another device of `from` would;
   * resolves once the server echoed it (stored and broadcast).
   */
  async sendAs(from: UserKey, to: UserKey, text: string): Promise<void> {
    const { access } = await this.login(from)
    const ws = new WebSocket(`ws://127.0.0.1:${this.port}/ws/chat/${USERS[to].id}/?token=${access}`)
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ message: text })))
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { message?: string, sender_id?: number }
        if (frame.message === text && frame.sender_id === USERS[from].id) resolve()
      })
      ws.on('error', reject)
    })
    ws.close()
  }

  /**
   * What the server stored between `a` and `b`, read the way any client reads it: the history
   * replay of a fresh socket (ends after `quietMs` without a frame).
   */
  async history(a: UserKey, b: UserKey, quietMs = 500): Promise<Array<{ sender_id: number, content: string }>> {
    const { access } = await this.login(a)
    const ws = new WebSocket(`ws://127.0.0.1:${this.port}/ws/chat/${USERS[b].id}/?token=${access}`)
    const frames: Array<{ sender_id: number, content: string }> = []
    await new Promise<void>((resolve, reject) => {
      let timer = setTimeout(done, quietMs * 4)
      function done() {
        ws.close()
        resolve()
      }
      ws.on('message', (data) => {
        frames.push(JSON.parse(String(data)) as { sender_id: number, content: string })
        clearTimeout(timer)
        timer = setTimeout(done, quietMs)
      })
      ws.on('error', reject)
    })
    return frames.map(f => ({ sender_id: f.sender_id, content: f.content }))
  }
}

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]

/** The Chromium the e2e tests and the browser benches drive (Debian's, unless `CHROMIUM_PATH`). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
}

/** Sign `user` in through the playground's login page and wait for the signed-in page. */
export async function signIn(page: Page, baseUrl: string, user: UserKey): Promise<void> {
  await page.goto(`${baseUrl}/login`)
  await page.locator('input[name=email]').fill(USERS[user].email)
  await page.locator('input[name=password]').fill(USERS[user].password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByTestId('me').waitFor()
}

/** A text unique to this run, so assertions never match an earlier test's message. */
export function unique(label: string): string {
  return `${label} ${Math.random().toString(36).slice(2, 8)}`
}
