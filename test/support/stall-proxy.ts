/**
 * A TCP proxy whose server-to-client direction stops for `stallMs` after every `everyBytes` it
 * forwarded, on each connection: a link that stalls again and again in the middle of a replay.
 * The other direction passes through.
 */
import type { Socket } from 'node:net'
import { passThrough, startTcpProxy } from './tcp-proxy'

export interface StallProxy {
  readonly url: string
  close(): Promise<void>
}

export async function startStallProxy(targetPort: number, options: { everyBytes: number, stallMs: number }): Promise<StallProxy> {
  const stalling = (from: Socket, to: Socket): void => {
    const queue: Buffer[] = []
    let sinceStall = 0
    let stalled = false
    const pump = (): void => {
      while (!stalled && queue.length > 0) {
        const chunk = queue.shift()!
        const room = options.everyBytes - sinceStall
        if (chunk.length < room) {
          sinceStall += chunk.length
          to.write(chunk)
          continue
        }
        to.write(chunk.subarray(0, room))
        if (chunk.length > room) queue.unshift(chunk.subarray(room))
        sinceStall = 0
        stalled = true
        setTimeout(() => {
          stalled = false
          pump()
        }, options.stallMs)
      }
    }
    from.on('data', (chunk: Buffer) => {
      queue.push(chunk)
      pump()
    })
    from.on('end', () => to.end())
  }
  const proxy = await startTcpProxy({ port: targetPort }, { up: passThrough, down: stalling })
  return { url: `http://127.0.0.1:${proxy.port}`, close: proxy.close }
}
