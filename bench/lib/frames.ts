/**
 * Realistic wire frames, generated deterministically (seeded PRNG) so every run measures the same bytes.
 * History frames are byte-for-byte what a Django Channels server sends: Python `json.dumps` spacing,
 * non-ASCII escaped as `\uXXXX`, `+00:00` timestamps with microseconds.
 */

/** mulberry32: tiny, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = (
  'hi hello ok thanks sure yes no maybe tomorrow today homework math test grade teacher class '
  + 'please call me later when are you coming home dinner is ready did you finish the project '
  + 'I will be late the bus was late can you pick me up at five remember your sports kit '
  + 'great job proud of you see you soon love you don\'t forget the "permission slip" école café 👍 🙂 ✅'
).split(' ')

/** Python's json.dumps with ensure_ascii=True: JSON.stringify, then every non-ASCII code unit as \uXXXX. */
export function pythonJsonString(text: string): string {
  return JSON.stringify(text).replace(/[\u0080-\uFFFF]/g, ch => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** A message text: mostly short, some medium, a few long (chat-like length distribution). */
export function messageText(random: () => number): string {
  const r = random()
  const words = r < 0.6 ? 1 + Math.floor(random() * 8) : r < 0.93 ? 8 + Math.floor(random() * 30) : 40 + Math.floor(random() * 160)
  const out: string[] = []
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(random() * WORDS.length)] ?? 'ok')
  return out.join(' ')
}

export interface WireMessage {
  senderId: number
  receiverId: number
  content: string
  /** Epoch ms. */
  time: number
  micros: number
}

/** `{"sender_id": 1, "reciever_id": 2, "content": "...", "timestamp": "2026-11-24T11:31:14.892717+00:00", "is_read": false}` */
export function historyFrame(m: WireMessage): string {
  const iso = new Date(m.time).toISOString() // 2026-11-24T11:31:14.892Z
  const timestamp = `${iso.slice(0, 23)}${String(m.micros).padStart(3, '0')}+00:00`
  return `{"sender_id": ${m.senderId}, "reciever_id": ${m.receiverId}, "content": ${pythonJsonString(m.content)}, "timestamp": "${timestamp}", "is_read": false}`
}

/** `{"message": "...", "sender_id": 2}` as the server broadcasts it. */
export function liveFrame(senderId: number, content: string): string {
  return `{"message": ${pythonJsonString(content)}, "sender_id": ${senderId}}`
}

export const SELF_ID = 1
export const PEER_ID = 2
const START = Date.UTC(2026, 10, 24, 11, 31, 14, 892)

/** `n` stored messages of a conversation between SELF_ID and PEER_ID, oldest first. */
export function conversation(n: number, seed = 42): WireMessage[] {
  const random = prng(seed)
  const out: WireMessage[] = []
  let time = START
  for (let i = 0; i < n; i++) {
    const mine = random() < 0.5
    time += 1 + Math.floor(random() * 90_000)
    out.push({
      senderId: mine ? SELF_ID : PEER_ID,
      receiverId: mine ? PEER_ID : SELF_ID,
      content: messageText(random),
      time,
      micros: Math.floor(random() * 1000),
    })
  }
  return out
}

/** Total UTF-8 bytes of the frames, as they travel on the wire. */
export function wireBytes(frames: readonly string[]): number {
  let total = 0
  for (const f of frames) total += Buffer.byteLength(f, 'utf8')
  return total
}
