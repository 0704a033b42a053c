/**
 * Public types of the protocol-faithful test server (`vue-realtime-chat/testing`): users' tests,
 * our own and the playground's embedded backend code against them.
 */

export interface TestUser {
  id: number
  email: string
  password: string
  role: 'student' | 'parent'
  first_name: string
  last_name: string
}

/** One stored message, as the server's database holds it. */
export interface StoredMessage {
  /** Server-side row id (never sent on the wire: the protocol has no message ids). */
  id: number
  sender_id: number
  reciever_id: number
  content: string
  /** Epoch ms. */
  createdAt: number
  /** Sub-millisecond part of the timestamp, 0–999 µs (servers store microseconds). @default 0 */
  micros?: number
  is_read: boolean
}

/** Where the backend keeps messages. Memory by default; the playground plugs in a real database. */
export interface MessageStore {
  append(message: Omit<StoredMessage, 'id'>): Promise<StoredMessage>
  /** Both directions between a and b, oldest first. */
  list(a: number, b: number): Promise<StoredMessage[]>
}

export type HandshakeRejection =
  /** Reference stack: upgrade fails with HTTP 500 after ~1 s (browser sees error + close 1006). */
  | 'http500'
  /** Stricter servers: HTTP 403. */
  | 'http403'
  /** Accept, then close with 4401. */
  | 'close4401'

export interface ChatBackendOptions {
  /** @default three seeded users: student 1, parents 2 and 3 (see DEFAULT_USERS) */
  users?: TestUser[]
  /** HS256 signing secret. @default random per instance */
  secret?: string
  /** @default 3600 */
  accessTtlSeconds?: number
  /** @default 604800 (7 days) */
  refreshTtlSeconds?: number
  /** Refresh returns a new refresh token and blacklists the old one. @default true */
  rotateRefresh?: boolean
  /** Claim holding the user id (a string). @default 'user_id' */
  userIdClaim?: string
  /** Broadcast sent messages back to the group, sender included. @default true */
  echo?: boolean
  /** How a bad token's handshake fails. @default 'http500' */
  handshakeRejection?: HandshakeRejection
  /** Delay before the bad-handshake answer. @default 1000 (the reference stack's ~1 s) */
  handshakeRejectDelayMs?: number
  /** History timestamps as `+00:00` (reference) or `Z`. @default 'offset' */
  timestampFormat?: 'offset' | 'z'
  /** Accept `{"type":"typing"|"read"}` frames and broadcast them instead of closing with 1011. @default false */
  extensions?: boolean
  /** @default in-memory store */
  store?: MessageStore
  /** Clock (epoch ms) for tokens and timestamps. @default Date.now */
  now?: () => number
  /**
   * Extra wait between joining the group and reading the history on connect. Widens the real
   * servers' join-before-history gap so tests can store a message inside it on demand.
   * @default 0 (only the store's own async read, as on a real server)
   */
  historyReadDelayMs?: number
  /**
   * Fault: after the history, keep sending made-up history frames (never stored) every this many
   * ms for as long as the socket is open, so the replay never goes quiet. 0 disables.
   * @default 0
   */
  endlessReplayMs?: number
  /** Mint tokens without the `iat` claim (servers that drop it; the client must not rely on it). @default false */
  omitIat?: boolean
  /**
   * Answer every token refresh with this HTTP status instead (a gateway in front of a failing app
   * server); the refresh token is left untouched. `0` restores normal refreshes.
   * @default 0
   */
  refreshFailureStatus?: number
}

export interface ChatServerOptions extends ChatBackendOptions {
  /** @default 0 (a free port) */
  port?: number
  /** @default '127.0.0.1' */
  host?: string
  /** Answer CORS preflights and add CORS headers for this origin ('*' allowed). @default '*' */
  corsOrigin?: string | false
  /** Interval of WebSocket protocol pings; a socket that misses two pongs is terminated. 0 disables. @default 20000 */
  pingIntervalMs?: number
}

export interface IssuedTokens {
  access: string
  refresh: string
}

export interface ChatServer {
  /** `http://127.0.0.1:PORT` — use as `baseUrl`. */
  readonly url: string
  /** `ws://127.0.0.1:PORT` */
  readonly wsUrl: string
  readonly port: number
  /** Stop listening and drop every socket (1006-like, no close frame); history is kept. */
  stop(): Promise<void>
  /** Listen again on the same port. */
  start(): Promise<void>
  /** Stop for good. */
  close(): Promise<void>
  /** Terminate every open socket abruptly (client sees 1006). */
  dropAll(): void
  /** Delay every outbound frame by `ms` (0 to stop delaying). */
  delay(ms: number): void
  /** The next inbound chat frame is stored, then its socket dies with 1011 before the echo. */
  crashNext(): void
  /** Fail the next `n` handshakes as if the token were bad (the configured rejection). */
  rejectHandshakes(n: number): void
  /** Refuse TCP connections / upgrades for `ms` (as if the server were down). */
  refuseConnections(ms: number): void
  /** Stored messages between two users, oldest first. */
  log(a: number, b: number): Promise<StoredMessage[]>
  /** Mint tokens for a user directly (e.g. an access token that expires in 1 s). */
  issueTokens(userId: number, options?: { accessTtlSeconds?: number; refreshTtlSeconds?: number }): IssuedTokens
  /** Invalidate a refresh token (blacklist) as a logout elsewhere would. */
  revokeRefresh(refresh: string): void
  /** Currently open sockets. */
  readonly openSockets: number
  /** Change switchable variants at run time (echo, handshakeRejection, rotateRefresh, timestampFormat, ...). */
  configure(options: Partial<ChatBackendOptions>): void
  /** Count of requests/handshakes seen, for asserting "no retry storm". */
  readonly stats: {
    readonly logins: number
    readonly refreshes: number
    readonly meRequests: number
    readonly handshakes: number
    readonly rejectedHandshakes: number
  }
}
