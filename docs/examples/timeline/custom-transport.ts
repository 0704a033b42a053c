import { decodeFrame, encodeMessage, Timeline } from 'vue-realtime-chat/protocol'
import type { ChatError, ChatMessage } from 'vue-realtime-chat/core'

declare const socket: WebSocket
declare function report(error: ChatError): void
declare function render(messages: readonly ChatMessage[]): void

const timeline = new Timeline({ selfId: '1', peerId: '2', now: Date.now })

function flush() {
  for (const m of timeline.takeQueued()) socket.send(encodeMessage(m.content))
}

socket.onopen = () => timeline.beginReplay()
socket.onmessage = ({ data }) => {
  const result = decodeFrame(data)
  if (!result.ok) return report(result.error) // ChatError 'malformed_frame', never thrown
  const frame = result.frame
  if (frame.kind === 'history') {
    timeline.addReplayFrame(frame)
  }
  else if (frame.kind === 'live') {
    if (timeline.replaying) {
      timeline.endReplay() // the first live frame ends the replay
      flush()
    }
    timeline.applyLive(frame)
  }
  render(timeline.messages())
}
socket.onclose = () => timeline.disconnected()
// Still to do, as the runtime does: end the replay after a quiet period without frames,
// and call timeline.settle() at timeline.gapDeadline().
