/**
 * The test server on `node:http` + `ws`: wires `createChatBackend` to real REST routes and real
 * WebSocket upgrades, and adds the transport-level faults (stop/start, refused connections).
 */
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { RawData, WebSocket } from 'ws'
import { importPeers } from '../packaging/optional-peer'
import { createChatBackend } from './backend'
import type { ChatConnection, HandshakeSession } from './backend'
import type { ChatServer, ChatServerOptions } from './types'

const MAX_BODY_BYTES = 1_000_000
const STATUS_TEXT: Record<number, string> = { 403: 'Forbidden', 500: 'Internal Server Error' }

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data))
    return Buffer.concat(data)
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES)
        reject(new RangeError('body too large'))
      else
        chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/**
 * Start a protocol-faithful chat server (REST + WebSocket) on `127.0.0.1` and a free port.
 *
 * @example
 * const server = await createChatServer({ handshakeRejectDelayMs: 20 })
 * const res = await fetch(`${server.url}/api/auth/login/`, { method: 'POST', body: JSON.stringify({ email: 'student@example.com', password: 'student123' }), headers: { 'content-type': 'application/json' } })
 * // ... new WebSocket(`${server.wsUrl}/ws/chat/2/?token=${access}`)
 * await server.close()
 */
export async function createChatServer(options: ChatServerOptions = {}): Promise<ChatServer> {
  const { port: requestedPort = 0, host = '127.0.0.1', corsOrigin = '*', pingIntervalMs = 20_000, ...backendOptions } = options
  // `ws` is an optional peer: loaded here, so the rest of this entry works without it.
  const { ws: { WebSocketServer } } = await importPeers('createChatServer() from vue-realtime-chat/testing', { ws: () => import('ws') })
  const backend = createChatBackend(backendOptions)
  const wss = new WebSocketServer({ noServer: true, clientTracking: true })
  const tcpSockets = new Set<Socket>()
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const missedPongs = new WeakMap<WebSocket, number>()
  let refuseUntil = 0
  let port = requestedPort
  let listening = false
  let pingTimer: ReturnType<typeof setInterval> | undefined

  const refusing = (): boolean => Date.now() < refuseUntil

  function later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer)
      fn()
    }, Math.max(0, ms))
    timers.add(timer)
  }

  function corsHeaders(): Record<string, string> {
    if (corsOrigin === false)
      return {}
    return {
      'access-control-allow-origin': corsOrigin,
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-max-age': '86400',
      ...(corsOrigin === '*' ? {} : { vary: 'Origin' }),
    }
  }

  function json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body)
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...corsHeaders() })
    res.end(text)
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (refusing()) {
      req.socket.destroy()
      return
    }
    const { pathname } = new URL(req.url ?? '/', 'http://localhost')
    const routes: Record<string, string> = { '/api/auth/login/': 'POST', '/api/auth/token/refresh/': 'POST', '/api/auth/me/': 'GET' }
    const allowed = routes[pathname]
    if (!allowed)
      return json(res, 404, { detail: 'Not found.' })
    if (req.method === 'OPTIONS') {
      res.writeHead(corsOrigin === false ? 200 : 204, { ...corsHeaders(), 'content-length': '0' })
      res.end()
      return
    }
    if (req.method !== allowed)
      return json(res, 405, { detail: `Method "${req.method ?? ''}" not allowed.` })
    let body = ''
    try {
      body = allowed === 'POST' ? await readBody(req) : ''
    }
    catch {
      return json(res, 413, { detail: 'Request body too large.' })
    }
    const answer = pathname === '/api/auth/login/'
      ? backend.login(body)
      : pathname === '/api/auth/me/'
        ? backend.me(req.headers.authorization)
        : backend.refresh(body)
    json(res, answer.status, answer.body)
  }

  /** `handleUpgrade` does not emit 'connection' in noServer mode: attach the keepalive here. */
  function watch(ws: WebSocket): void {
    ws.on('error', () => {})
    ws.on('pong', () => missedPongs.set(ws, 0))
  }

  function accept(ws: WebSocket, session: HandshakeSession): void {
    const conn: ChatConnection = {
      send: (text) => {
        if (ws.readyState === ws.OPEN)
          ws.send(text)
      },
      close: code => ws.close(code),
      terminate: () => ws.terminate(),
    }
    ws.on('message', (data, isBinary) => void backend.message(conn, toBytes(data), isBinary))
    ws.on('close', () => backend.close(conn))
    void backend.open(conn, session)
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {})
    if (refusing()) {
      socket.destroy()
      return
    }
    const result = backend.authenticate(req.url ?? '/')
    if (result.ok) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        watch(ws)
        accept(ws, result)
      })
      return
    }
    later(result.delayMs, () => {
      if (socket.destroyed)
        return
      if (result.rejection === 'close4401') {
        wss.handleUpgrade(req, socket, head, (ws) => {
          watch(ws)
          ws.close(4401)
        })
        return
      }
      const status = result.rejection === 'http403' ? 403 : 500
      const text = `${status} ${STATUS_TEXT[status]}`
      socket.once('finish', () => socket.destroy())
      socket.end(`HTTP/1.1 ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\nConnection: close\r\n\r\n${text}`)
    })
  }

  const http = createServer((req, res) => {
    handleRequest(req, res).catch(() => {
      if (!res.headersSent)
        json(res, 500, { detail: 'A server error occurred.' })
      else
        res.destroy()
    })
  })
  http.on('connection', (socket: Socket) => {
    if (refusing()) {
      socket.destroy()
      return
    }
    tcpSockets.add(socket)
    socket.on('close', () => tcpSockets.delete(socket))
  })
  http.on('upgrade', handleUpgrade)

  function startPings(): void {
    if (pingIntervalMs <= 0 || pingTimer)
      return
    pingTimer = setInterval(() => {
      for (const ws of wss.clients) {
        const missed = missedPongs.get(ws) ?? 0
        if (missed >= 2) {
          ws.terminate()
          continue
        }
        missedPongs.set(ws, missed + 1)
        ws.ping()
      }
    }, pingIntervalMs)
    pingTimer.unref()
  }

  async function start(): Promise<void> {
    if (listening)
      return
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject)
      http.listen(port, host, () => {
        http.off('error', reject)
        resolve()
      })
    })
    port = (http.address() as AddressInfo).port
    listening = true
    startPings()
  }

  function dropAll(): void {
    backend.dropAll()
    for (const ws of wss.clients)
      ws.terminate()
  }

  async function stop(): Promise<void> {
    if (!listening)
      return
    listening = false
    clearInterval(pingTimer)
    pingTimer = undefined
    const closed = new Promise<void>(resolve => http.close(() => resolve()))
    dropAll()
    for (const timer of timers)
      clearTimeout(timer)
    timers.clear()
    for (const socket of tcpSockets)
      socket.destroy()
    await closed
  }

  await start()
  const urlHost = host.includes(':') ? `[${host}]` : host

  return {
    get url() { return `http://${urlHost}:${port}` },
    get wsUrl() { return `ws://${urlHost}:${port}` },
    get port() { return port },
    stop,
    start,
    async close() {
      await stop()
      backend.dispose()
      await new Promise<void>(resolve => wss.close(() => resolve()))
    },
    dropAll,
    delay: ms => backend.delay(ms),
    crashNext: () => backend.crashNext(),
    rejectHandshakes: n => backend.rejectHandshakes(n),
    refuseConnections(ms) {
      refuseUntil = Date.now() + Math.max(0, ms)
    },
    log: (a, b) => backend.log(a, b),
    issueTokens: (userId, ttl) => backend.issueTokens(userId, ttl),
    revokeRefresh: refresh => backend.revokeRefresh(refresh),
    get openSockets() { return backend.openSockets },
    configure: partial => backend.configure(partial),
    stats: backend.stats,
  }
}
