/** Raw `ws` sockets for benchmark peers: open and close as promises. */
import WS from 'ws'

/** Resolve once the socket is open; reject on its first error. */
export function openSocket(url: string): Promise<WS> {
  return new Promise((resolve, reject) => {
    const socket = new WS(url)
    socket.once('open', () => resolve(socket))
    socket.once('error', reject)
  })
}

/** Close the socket and resolve once it is closed (at once when it already is). */
export function closeSocket(socket: WS): Promise<void> {
  return new Promise((resolve) => {
    if (socket.readyState === WS.CLOSED) return resolve()
    socket.once('close', () => resolve())
    socket.close()
  })
}
