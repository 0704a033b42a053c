/**
 * A TCP proxy on a free loopback port in front of a local server, each direction passed through a
 * `pipe` that shapes it (a slow link, a link that stalls). Shared by the tests' and the benches'
 * link proxies; an error on either side ends the connection.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'

/** Forward `from` to `to`, shaped; it also ends `to` when `from` ends. */
export type Pipe = (from: Socket, to: Socket) => void

/** Passes bytes through unchanged. */
export const passThrough: Pipe = (from, to) => {
  from.pipe(to)
}

export interface TcpProxy {
  readonly port: number
  close(): Promise<void>
}

export async function startTcpProxy(target: { port: number, host?: string }, pipes: { up: Pipe, down: Pipe }): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host ?? '127.0.0.1')
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.setNoDelay(true)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    pipes.up(client, upstream)
    pipes.down(upstream, client)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    }),
  }
}
