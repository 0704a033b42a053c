/** Small event-driven helpers for the test-server suites: real `ws` clients, no sleeps. */
import { afterEach } from 'vitest'
import WebSocket from 'ws'
import { createChatServer } from '../../src/testing'
import type { ChatServer, ChatServerOptions } from '../../src/testing'

export interface TestClient {
  readonly ws: WebSocket
  /** Every text frame received, parsed as JSON. */
  readonly frames: unknown[]
  /** Raw text of every frame received. */
  readonly raw: string[]
  readonly pings: number
  readonly opened: boolean
  readonly closeCode: number | null
  readonly closeReason: string | null
  readonly errorMessage: string | null
  /** Resolves once `predicate` holds; re-checked on every socket event; rejects after `timeoutMs`. */
  until(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>
  /** Resolves with the close code. */
  closed(timeoutMs?: number): Promise<number>
  /** Resolves when open; rejects if the socket closes first. */
  open(timeoutMs?: number): Promise<void>
  send(value: unknown): void
}

/** Open a real `ws` client and record everything it sees. */
export function connect(url: string, options?: WebSocket.ClientOptions): TestClient {
  const ws = new WebSocket(url, options)
  const frames: unknown[] = []
  const raw: string[] = []
  const listeners = new Set<() => void>()
  const state = { pings: 0, opened: false, closeCode: null as number | null, closeReason: null as string | null, errorMessage: null as string | null }
  const notify = (): void => {
    for (const l of [...listeners]) l()
  }
  ws.on('open', () => {
    state.opened = true
    notify()
  })
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? `<binary ${String(data)}>` : String(data)
    raw.push(text)
    try {
      frames.push(JSON.parse(text))
    }
    catch {
      frames.push(text)
    }
    notify()
  })
  ws.on('ping', () => {
    state.pings++
    notify()
  })
  ws.on('error', (error) => {
    state.errorMessage = error.message
    notify()
  })
  ws.on('close', (code, reason) => {
    state.closeCode = code
    state.closeReason = reason.toString()
    notify()
  })

  function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (predicate()) {
          cleanup()
          resolve()
        }
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`timed out waiting for ${what}; frames: ${raw.join(' | ')}; close: ${state.closeCode}`))
      }, timeoutMs)
      const cleanup = (): void => {
        clearTimeout(timer)
        listeners.delete(check)
      }
      listeners.add(check)
      check()
    })
  }

  return {
    ws,
    frames,
    raw,
    get pings() { return state.pings },
    get opened() { return state.opened },
    get closeCode() { return state.closeCode },
    get closeReason() { return state.closeReason },
    get errorMessage() { return state.errorMessage },
    until,
    async closed(timeoutMs) {
      await until(() => state.closeCode !== null, 'close', timeoutMs)
      return state.closeCode as number
    },
    async open(timeoutMs) {
      await until(() => state.opened || state.closeCode !== null, 'open', timeoutMs)
      if (!state.opened)
        throw new Error(`socket closed before opening (${state.closeCode}, ${state.errorMessage})`)
    },
    send(value) {
      ws.send(typeof value === 'string' ? value : JSON.stringify(value))
    },
  }
}

/** The chat socket URL for `me` talking to `peer` with a freshly minted token. */
export function chatUrl(server: ChatServer, me: number, peer: number, token = server.issueTokens(me).access): string {
  return `${server.wsUrl}/ws/chat/${peer}/?token=${token}`
}

/** Connect `me` to `peer` and wait until open. */
export async function openChat(server: ChatServer, me: number, peer: number): Promise<TestClient> {
  const client = connect(chatUrl(server, me, peer))
  await client.open()
  return client
}

/** POST JSON to the server. */
export async function post(server: ChatServer, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number, body: unknown, headers: Headers }> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, body: await res.json(), headers: res.headers }
}

/** Decode a JWT payload without verifying it (what a browser client does). */
export function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
}

/** Poll an async condition (for things with no event, like a port coming back); fails after `timeoutMs`. */
export async function eventually<T>(attempt: () => Promise<T>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      return await attempt()
    }
    catch (error) {
      last = error
      await new Promise(resolve => setTimeout(resolve, 10))
    }
  }
  throw new Error(`timed out waiting for ${what}: ${String(last)}`)
}

/**
 * Per-test servers and raw sockets: `start()` a server (fast handshake rejection by default),
 * `chat()` open a raw socket, `track()` any other socket; all are closed after each test.
 */
export function serverFixture() {
  const servers: ChatServer[] = []
  const clients: TestClient[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.ws.terminate()
    await Promise.all(servers.splice(0).map(s => s.close()))
  })
  const track = (client: TestClient): TestClient => {
    clients.push(client)
    return client
  }
  return {
    track,
    async start(options: ChatServerOptions = {}): Promise<ChatServer> {
      const server = await createChatServer({ handshakeRejectDelayMs: 5, ...options })
      servers.push(server)
      return server
    },
    async chat(server: ChatServer, me: number, peer: number): Promise<TestClient> {
      return track(await openChat(server, me, peer))
    },
  }
}
