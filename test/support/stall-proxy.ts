/**
 * A TCP proxy whose server-to-client direction stops for `stallMs` after every `everyBytes` it
 * forwarded, on each connection: a link that stalls again and again in the middle of a replay.
 * The other direction passes through.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'

export interface StallProxy {
  readonly url: string
  close(): Promise<void>
}

export async function startStallProxy(targetPort: number, options: { everyBytes: number, stallMs: number }): Promise<StallProxy> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1')
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream)
    const queue: Buffer[] = []
    let sinceStall = 0
    let stalled = false
    const pump = (): void => {
      while (!stalled && queue.length > 0) {
        const chunk = queue.shift()!
        const room = options.everyBytes - sinceStall
        if (chunk.length < room) {
          sinceStall += chunk.length
          client.write(chunk)
          continue
        }
        client.write(chunk.subarray(0, room))
        if (chunk.length > room) queue.unshift(chunk.subarray(room))
        sinceStall = 0
        stalled = true
        setTimeout(() => {
          stalled = false
          pump()
        }, options.stallMs)
      }
    }
    upstream.on('data', (chunk: Buffer) => {
      queue.push(chunk)
      pump()
    })
    upstream.on('end', () => client.end())
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    }),
  }
}
