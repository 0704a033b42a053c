/**
 * Transport-agnostic protocol logic of the test server: REST handlers as plain functions and a
 * tiny socket adapter interface, so `node:http` + `ws` (see server.ts) and Nitro/crossws can both
 * drive it. No node http or ws imports here.
 */
import { randomBytes } from 'node:crypto'
import { createJti, signJwt, verifyJwt } from './jwt'
import type { JwtPayload } from './jwt'
import { createMemoryStore } from './store'
import type { ChatBackendOptions, ChatServer, HandshakeRejection, IssuedTokens, StoredMessage, TestUser } from './types'
import { DEFAULT_USERS } from './users'

/** What a transport adapter hands the backend for one accepted socket. */
export interface ChatConnection {
  /** Send one text frame. */
  send(text: string): void
  /** Close with a close frame carrying `code` and no reason. */
  close(code: number): void
  /** Drop the TCP connection without a close frame (the client sees 1006). */
  terminate(): void
}

/** A REST answer: the adapter writes `body` as JSON with `status`. */
export interface RestResponse {
  status: number
  body: unknown
}

/** Why a handshake was refused (never sent to the client, which only sees the rejection). */
export type HandshakeFailureReason = 'bad_path' | 'missing_token' | 'invalid_token' | 'unknown_peer' | 'forced'

/** An accepted handshake: pass it to `open()`. */
export interface HandshakeSession {
  ok: true
  user: TestUser
  peerId: number
}

/** A refused handshake: the adapter must answer it with `rejection` after `delayMs`. */
export interface HandshakeFailure {
  ok: false
  reason: HandshakeFailureReason
  /** `http500` / `http403`: fail the upgrade with that status. `close4401`: accept, then close with 4401. */
  rejection: HandshakeRejection
  delayMs: number
}

/** What `authenticate()` decides for one upgrade request. */
export type HandshakeResult = HandshakeSession | HandshakeFailure

/** Counters for asserting "no retry storm". */
export interface ChatBackendStats {
  logins: number
  refreshes: number
  meRequests: number
  handshakes: number
  rejectedHandshakes: number
}

/** The protocol logic behind a test server; see `createChatBackend`. */
export interface ChatBackend {
  /** `POST /api/auth/login/`: `body` is the parsed JSON or the raw text. */
  login(body: unknown): RestResponse
  /** `POST /api/auth/token/refresh/`: `body` is the parsed JSON or the raw text. */
  refresh(body: unknown): RestResponse
  /** `GET /api/auth/me/` with the `Authorization` header value. */
  me(authorization: string | null | undefined): RestResponse
  /** Check an upgrade request URL (`/ws/chat/2/?token=…`, absolute or path only). Counts a handshake. */
  authenticate(url: string): HandshakeResult
  /** A socket was accepted: join its group, then replay the history. Resolves after the replay. */
  open(conn: ChatConnection, session: HandshakeSession): Promise<void>
  /** An inbound frame. Resolves when handled; never rejects (failures close the socket with 1011). */
  message(conn: ChatConnection, data: string | ArrayBuffer | Uint8Array, isBinary: boolean): Promise<void>
  /** The socket closed (either side): leave the group, drop pending frames. Idempotent. */
  close(conn: ChatConnection): void
  /** Terminate every open socket (client sees 1006). */
  dropAll(): void
  /** Delay every outbound frame by `ms`, order preserved (0 stops delaying). */
  delay(ms: number): void
  /** The next inbound chat frame is stored, then its socket is closed with 1011 before its own echo. */
  crashNext(): void
  /** Refuse the next `n` handshakes with the configured rejection, whatever the token. */
  rejectHandshakes(n: number): void
  /** Stored messages between two users, oldest first. */
  log(a: number, b: number): Promise<StoredMessage[]>
  /** Mint a token pair for a user. */
  issueTokens(userId: number, options?: { accessTtlSeconds?: number, refreshTtlSeconds?: number }): IssuedTokens
  /** Blacklist a refresh token. */
  revokeRefresh(refresh: string): void
  /** Change switchable variants at run time. */
  configure(options: Partial<ChatBackendOptions>): void
  /** Current options, defaults applied. */
  readonly options: Readonly<ResolvedBackendOptions>
  readonly stats: ChatServer['stats']
  /** Sockets opened and not yet closed. */
  readonly openSockets: number
  /** Clear pending timers (delayed frames). Call when the server shuts down. */
  dispose(): void
}

/** `ChatBackendOptions` with every default applied. */
export type ResolvedBackendOptions = Required<Omit<ChatBackendOptions, 'users'>> & { users: readonly TestUser[] }

interface SocketState {
  readonly conn: ChatConnection
  readonly user: TestUser
  readonly peerId: number
  readonly group: string
  /** Inbound frames and group deliveries, one at a time (a Channels consumer is sequential). */
  work: Promise<void>
  /** Outbound frames waiting for `delay()`. */
  outChain: Promise<void>
  pendingOut: number
  /** No more frames are processed or accepted for sending. */
  closing: boolean
  /** The transport is gone. */
  gone: boolean
}

const TOKEN_INVALID = { detail: 'Token is invalid or expired', code: 'token_not_valid' } as const
const REQUIRED = ['This field is required.'] as const
const PATH_RE = /^\/ws\/chat\/(\d+)\/$/

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function pairGroup(a: number, b: number): string {
  return `chat_${Math.min(a, b)}_${Math.max(a, b)}`
}

/** Python `datetime.isoformat()`: microseconds, fraction omitted when zero. */
function formatTimestamp(ms: number, micros: number, format: 'offset' | 'z'): string {
  const iso = new Date(Math.floor(ms)).toISOString()
  const fraction = (Math.floor(ms) % 1000) * 1000 + micros
  const base = iso.slice(0, 19)
  const frac = fraction === 0 ? '' : `.${String(fraction).padStart(6, '0')}`
  return `${base}${frac}${format === 'z' ? 'Z' : '+00:00'}`
}

function publicUser(user: TestUser): Record<string, unknown> {
  return { id: user.id, email: user.email, role: user.role, first_name: user.first_name, last_name: user.last_name }
}

function parseBody(body: unknown): { ok: true, value: Record<string, unknown> } | { ok: false, response: RestResponse } {
  let value = body
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const text = typeof body === 'string' ? body : new TextDecoder().decode(body)
    try {
      value = text.trim() === '' ? {} : JSON.parse(text)
    }
    catch {
      return { ok: false, response: { status: 400, body: { detail: 'JSON parse error - Expecting value: line 1 column 1 (char 0)' } } }
    }
  }
  if (value == null)
    value = {}
  if (!isRecord(value))
    return { ok: false, response: { status: 400, body: { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] } } }
  return { ok: true, value }
}

function resolveOptions(options: ChatBackendOptions): ResolvedBackendOptions {
  return {
    users: options.users ?? DEFAULT_USERS,
    secret: options.secret ?? randomBytes(32).toString('hex'),
    accessTtlSeconds: options.accessTtlSeconds ?? 3600,
    refreshTtlSeconds: options.refreshTtlSeconds ?? 604_800,
    rotateRefresh: options.rotateRefresh ?? true,
    userIdClaim: options.userIdClaim ?? 'user_id',
    echo: options.echo ?? true,
    handshakeRejection: options.handshakeRejection ?? 'http500',
    handshakeRejectDelayMs: options.handshakeRejectDelayMs ?? 1000,
    timestampFormat: options.timestampFormat ?? 'offset',
    extensions: options.extensions ?? false,
    store: options.store ?? createMemoryStore(),
    now: options.now ?? Date.now,
    historyReadDelayMs: options.historyReadDelayMs ?? 0,
    issueIat: options.issueIat ?? true,
  }
}

/**
 * Create the transport-agnostic protocol logic of a Django-Channels-style chat server.
 *
 * Adapter contract for a socket transport:
 * 1. on upgrade call `authenticate(url)`; on `{ ok: false }` answer with `rejection` after `delayMs`;
 * 2. once accepted call `open(conn, session)` with a `ChatConnection` wrapping the socket;
 * 3. pass every frame to `message(conn, data, isBinary)` and the end of the socket to `close(conn)`.
 *
 * @example
 * const backend = createChatBackend({ echo: true })
 * const res = backend.login({ email: 'student@example.com', password: 'student123' })
 */
export function createChatBackend(options: ChatBackendOptions = {}): ChatBackend {
  let opts = resolveOptions(options)
  const sockets = new Map<ChatConnection, SocketState>()
  const groups = new Map<string, Set<SocketState>>()
  const blacklist = new Set<string>()
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const stats: ChatBackendStats = { logins: 0, refreshes: 0, meRequests: 0, handshakes: 0, rejectedHandshakes: 0 }
  let delayMs = 0
  let crashPending = false
  let forcedRejections = 0
  let lastStampMicros = 0

  const findUser = (id: unknown): TestUser | undefined => {
    const n = typeof id === 'number' ? id : typeof id === 'string' && /^\d+$/.test(id.trim()) ? Number(id) : Number.NaN
    return opts.users.find(u => u.id === n)
  }

  function mint(user: TestUser, type: 'access' | 'refresh', ttlSeconds: number): string {
    const iat = Math.floor(opts.now() / 1000)
    const payload: JwtPayload = { token_type: type, exp: iat + ttlSeconds, iat, jti: createJti(), [opts.userIdClaim]: String(user.id) }
    if (!opts.issueIat)
      delete (payload as Partial<JwtPayload>).iat
    return signJwt(payload, opts.secret)
  }

  function issueTokens(userId: number, ttl: { accessTtlSeconds?: number, refreshTtlSeconds?: number } = {}): IssuedTokens {
    const user = findUser(userId)
    if (!user)
      throw new RangeError(`No test user with id ${userId}`)
    return {
      access: mint(user, 'access', ttl.accessTtlSeconds ?? opts.accessTtlSeconds),
      refresh: mint(user, 'refresh', ttl.refreshTtlSeconds ?? opts.refreshTtlSeconds),
    }
  }

  function verified(token: string, type: 'access' | 'refresh'): { payload: JwtPayload, user: TestUser } | null {
    const payload = verifyJwt(token, opts.secret, opts.now())
    if (!payload || payload.token_type !== type)
      return null
    const user = findUser(payload[opts.userIdClaim])
    return user ? { payload, user } : null
  }

  function nextStamp(): { createdAt: number, micros: number } {
    const micros = Math.max(Math.floor(opts.now()) * 1000 + Math.floor(Math.random() * 1000), lastStampMicros + 1)
    lastStampMicros = micros
    return { createdAt: Math.floor(micros / 1000), micros: micros % 1000 }
  }

  function wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        resolve()
      }, Math.max(0, ms))
      timers.add(timer)
    })
  }

  /** Run `action` on the socket now, or after the configured outbound delay, in order. */
  function outbound(state: SocketState, action: () => void): void {
    if (state.gone)
      return
    if (delayMs <= 0 && state.pendingOut === 0) {
      action()
      return
    }
    const due = Date.now() + delayMs
    state.pendingOut++
    state.outChain = state.outChain
      .then(() => wait(due - Date.now()))
      .then(() => {
        state.pendingOut--
        if (!state.gone)
          action()
      })
  }

  function send(state: SocketState, text: string): void {
    if (!state.closing)
      outbound(state, () => state.conn.send(text))
  }

  function enqueue(state: SocketState, task: () => Promise<void> | void): Promise<void> {
    state.work = state.work.then(async () => {
      if (state.closing)
        return
      try {
        await task()
      }
      catch {
        fail(state)
      }
    })
    return state.work
  }

  function leave(state: SocketState): void {
    const members = groups.get(state.group)
    members?.delete(state)
    if (members && members.size === 0)
      groups.delete(state.group)
  }

  /** What an exception inside a Channels consumer does: close 1011, no reason, no error frame. */
  function fail(state: SocketState): void {
    if (state.closing)
      return
    state.closing = true
    leave(state)
    outbound(state, () => state.conn.close(1011))
  }

  function broadcast(from: SocketState, frame: string, includeSender: boolean): void {
    for (const member of groups.get(from.group) ?? []) {
      if (member !== from || includeSender)
        void enqueue(member, () => send(member, frame))
    }
  }

  async function handleFrame(state: SocketState, data: string | ArrayBuffer | Uint8Array, isBinary: boolean): Promise<void> {
    if (isBinary)
      return fail(state)
    const text = typeof data === 'string' ? data : new TextDecoder().decode(data)
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    }
    catch {
      return fail(state)
    }
    if (!isRecord(parsed))
      return fail(state)
    if ('type' in parsed) {
      if (opts.extensions && (parsed.type === 'typing' || parsed.type === 'read'))
        broadcast(state, JSON.stringify({ type: parsed.type, sender_id: state.user.id }), false)
      else
        fail(state)
      return
    }
    const message = parsed.message
    if (typeof message !== 'string' && !(typeof message === 'number' && Number.isFinite(message)))
      return fail(state)
    const crash = crashPending
    crashPending = false
    await opts.store.append({
      sender_id: state.user.id,
      reciever_id: state.peerId,
      content: String(message),
      ...nextStamp(),
      is_read: false,
    })
    const frame = JSON.stringify({ message, sender_id: state.user.id })
    if (crash) {
      fail(state)
      broadcast(state, frame, false)
    }
    else {
      broadcast(state, frame, opts.echo)
    }
  }

  function historyFrame(m: StoredMessage): string {
    return JSON.stringify({
      sender_id: m.sender_id,
      reciever_id: m.reciever_id,
      content: m.content,
      timestamp: formatTimestamp(m.createdAt, m.micros ?? 0, opts.timestampFormat),
      is_read: m.is_read,
    })
  }

  function reject(reason: HandshakeFailureReason): HandshakeFailure {
    stats.rejectedHandshakes++
    const rejection: HandshakeRejection = reason === 'bad_path' && opts.handshakeRejection === 'close4401' ? 'http500' : opts.handshakeRejection
    return { ok: false, reason, rejection, delayMs: opts.handshakeRejectDelayMs }
  }

  return {
    login(body) {
      stats.logins++
      const parsed = parseBody(body)
      if (!parsed.ok)
        return parsed.response
      const { email, password } = parsed.value
      const errors: Record<string, string[]> = {}
      for (const [field, value] of [['email', email], ['password', password]] as const) {
        if (value === undefined || value === null)
          errors[field] = [...REQUIRED]
        else if (typeof value !== 'string')
          errors[field] = ['Not a valid string.']
        else if (value.trim() === '')
          errors[field] = ['This field may not be blank.']
        else if (field === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim()))
          errors[field] = ['Enter a valid email address.']
      }
      if (Object.keys(errors).length > 0)
        return { status: 400, body: errors }
      const user = opts.users.find(u => u.email.toLowerCase() === String(email).trim().toLowerCase())
      if (!user || user.password !== password)
        return { status: 401, body: { error: 'Invalid credentials' } }
      return { status: 200, body: { user: publicUser(user), tokens: issueTokens(user.id) } }
    },

    refresh(body) {
      stats.refreshes++
      const parsed = parseBody(body)
      if (!parsed.ok)
        return parsed.response
      const token = parsed.value.refresh
      if (token === undefined || token === null)
        return { status: 400, body: { refresh: [...REQUIRED] } }
      if (typeof token !== 'string' || token === '')
        return { status: 400, body: { refresh: token === '' ? ['This field may not be blank.'] : ['Not a valid string.'] } }
      const valid = verified(token, 'refresh')
      if (!valid || blacklist.has(valid.payload.jti))
        return { status: 401, body: { ...TOKEN_INVALID } }
      const access = mint(valid.user, 'access', opts.accessTtlSeconds)
      if (!opts.rotateRefresh)
        return { status: 200, body: { access } }
      blacklist.add(valid.payload.jti)
      return { status: 200, body: { access, refresh: mint(valid.user, 'refresh', opts.refreshTtlSeconds) } }
    },

    me(authorization) {
      stats.meRequests++
      const match = typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/.exec(authorization) : null
      if (!match?.[1])
        return { status: 401, body: { detail: 'Authentication credentials were not provided.' } }
      const valid = verified(match[1], 'access')
      if (!valid)
        return { status: 401, body: { detail: 'Given token not valid for any token type', code: 'token_not_valid' } }
      return { status: 200, body: publicUser(valid.user) }
    },

    authenticate(url) {
      stats.handshakes++
      let parsedUrl: URL
      try {
        parsedUrl = new URL(url, 'http://localhost')
      }
      catch {
        return reject('bad_path')
      }
      const peer = PATH_RE.exec(parsedUrl.pathname)?.[1]
      if (peer === undefined)
        return reject('bad_path')
      if (forcedRejections > 0) {
        forcedRejections--
        return reject('forced')
      }
      const token = parsedUrl.searchParams.get('token') || parsedUrl.searchParams.get('access_token')
      if (!token)
        return reject('missing_token')
      const valid = verified(token, 'access')
      if (!valid)
        return reject('invalid_token')
      if (!findUser(Number(peer)))
        return reject('unknown_peer')
      return { ok: true, user: valid.user, peerId: Number(peer) }
    },

    open(conn, session) {
      const state: SocketState = {
        conn,
        user: session.user,
        peerId: session.peerId,
        group: pairGroup(session.user.id, session.peerId),
        work: Promise.resolve(),
        outChain: Promise.resolve(),
        pendingOut: 0,
        closing: false,
        gone: false,
      }
      sockets.set(conn, state)
      // Join first, read second: a message stored in between is replayed AND delivered live.
      const members = groups.get(state.group) ?? new Set<SocketState>()
      members.add(state)
      groups.set(state.group, members)
      return enqueue(state, async () => {
        if (opts.historyReadDelayMs > 0)
          await wait(opts.historyReadDelayMs)
        const history = await opts.store.list(state.user.id, state.peerId)
        for (const m of history)
          send(state, historyFrame(m))
      })
    },

    message(conn, data, isBinary) {
      const state = sockets.get(conn)
      if (!state)
        return Promise.resolve()
      return enqueue(state, () => handleFrame(state, data, isBinary))
    },

    close(conn) {
      const state = sockets.get(conn)
      if (!state)
        return
      state.closing = true
      state.gone = true
      leave(state)
      sockets.delete(conn)
    },

    dropAll() {
      for (const state of [...sockets.values()]) {
        state.closing = true
        state.gone = true
        leave(state)
        sockets.delete(state.conn)
        state.conn.terminate()
      }
    },

    delay(ms) {
      delayMs = Math.max(0, ms)
    },

    crashNext() {
      crashPending = true
    },

    rejectHandshakes(n) {
      forcedRejections = Math.max(0, Math.floor(n))
    },

    log(a, b) {
      return opts.store.list(a, b)
    },

    issueTokens,

    revokeRefresh(refresh) {
      const payload = verifyJwt(refresh, opts.secret, 0)
      if (payload)
        blacklist.add(payload.jti)
    },

    configure(partial) {
      const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<ChatBackendOptions>
      opts = { ...opts, ...defined } as ResolvedBackendOptions
    },

    get options() {
      return opts
    },

    stats: {
      get logins() { return stats.logins },
      get refreshes() { return stats.refreshes },
      get meRequests() { return stats.meRequests },
      get handshakes() { return stats.handshakes },
      get rejectedHandshakes() { return stats.rejectedHandshakes },
    },

    get openSockets() {
      return sockets.size
    },

    dispose() {
      for (const timer of timers)
        clearTimeout(timer)
      timers.clear()
    },
  }
}
