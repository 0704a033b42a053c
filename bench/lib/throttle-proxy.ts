/**
 * A TCP proxy that makes loopback behave like a slow mobile link: each direction is limited to a
 * bandwidth and every chunk is delivered half a round trip after it fully "arrived". Used by the
 * browser benchmarks (CDP network emulation does not reliably throttle WebSocket frames).
 */
import type { Socket } from 'node:net'
import { startTcpProxy } from '../../test/support/tcp-proxy'

export interface ThrottleOptions {
  /** Upstream host and port (the real server). */
  targetPort: number
  targetHost?: string
  /** Bytes per second in each direction. 1.6 Mbit/s = 200 000. */
  bytesPerSecond: number
  /** Round trip added by the link, in ms (half is added each way). */
  rttMs: number
  /** Largest piece delivered at once. @default 1448 (a TCP segment's payload) */
  segmentBytes?: number
}

export interface ThrottleProxy {
  readonly port: number
  /** Bytes that went through, per direction. */
  readonly bytes: { down: number; up: number }
  close(): Promise<void>
}

/** A TCP segment's payload: a link delivers a stream in pieces this size, not in the sender's writes. */
const SEGMENT_BYTES = 1448

/** One direction of the link: segments leave in order, paced by bandwidth, each delayed by rtt/2. */
function pipeThrottled(from: Socket, to: Socket, options: ThrottleOptions, count: (n: number) => void): void {
  let busyUntil = 0
  from.on('data', (chunk: Buffer) => {
    count(chunk.length)
    const now = performance.now()
    // A 64 kB write would otherwise arrive whole after 320 ms of silence at 1.6 Mbit/s.
    const size = options.segmentBytes ?? SEGMENT_BYTES
    for (let offset = 0; offset < chunk.length; offset += size) {
      const segment = chunk.subarray(offset, offset + size)
      busyUntil = Math.max(now, busyUntil) + (segment.length / options.bytesPerSecond) * 1000
      const at = busyUntil + options.rttMs / 2
      setTimeout(() => {
        if (!to.destroyed) to.write(segment)
      }, Math.max(0, at - now))
    }
  })
  from.on('end', () => {
    const wait = Math.max(0, busyUntil + options.rttMs / 2 - performance.now())
    setTimeout(() => to.end(), wait)
  })
}

/** Start a throttling proxy on a free loopback port. */
export async function startThrottleProxy(options: ThrottleOptions): Promise<ThrottleProxy> {
  const bytes = { down: 0, up: 0 }
  const proxy = await startTcpProxy({ port: options.targetPort, host: options.targetHost }, {
    up: (from, to) => pipeThrottled(from, to, options, n => (bytes.up += n)),
    down: (from, to) => pipeThrottled(from, to, options, n => (bytes.down += n)),
  })
  return { port: proxy.port, bytes, close: proxy.close }
}
