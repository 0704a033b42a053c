/**
 * The naive baseline. "The backend integration guide" in these benchmarks is the chat backend's own
 * frontend integration document (a Django Channels school chat: REST login, one WebSocket per
 * conversation), which is not part of this repository; its "Vue.js Example" data path, as written there: `JSON.parse`, then push an
 * object with a `Date.now() + Math.random()` id into a deep `ref([])`. A subscribed effect stands in
 * for the template's `v-for` (which tracks the array); its scheduler counts triggers like Vue's
 * render queue would receive them.
 */
import { effect, ref, type Ref } from 'vue'

export interface GuideMessage {
  id: number
  senderId: number
  receiverId?: number
  content: string
  timestamp: string
  isRead: boolean
  isPrevious: boolean
}

export interface GuideChat {
  messages: Ref<GuideMessage[]>
  /** That example's `ws.onmessage` body. */
  onmessage(event: { data: string }): void
  /** How many times the array's subscriber was triggered. */
  readonly triggers: number
  stop(): void
}

export function createGuideChat(): GuideChat {
  const messages = ref<GuideMessage[]>([])
  let triggers = 0
  const runner = effect(() => messages.value.length, { scheduler: () => { triggers++ } })
  return {
    messages,
    onmessage(event) {
      const data = JSON.parse(event.data)
      if (data.content) {
        messages.value.push({
          id: Date.now() + Math.random(),
          senderId: data.sender_id,
          receiverId: data.reciever_id,
          content: data.content,
          timestamp: data.timestamp,
          isRead: data.is_read,
          isPrevious: true,
        })
      }
      else {
        messages.value.push({
          id: Date.now() + Math.random(),
          senderId: data.sender_id,
          content: data.message,
          timestamp: new Date().toISOString(),
          isRead: false,
          isPrevious: false,
        })
      }
    },
    get triggers() { return triggers },
    stop() { runner.effect.stop() },
  }
}
