import { afterAll, beforeAll, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createChatServer } from 'vue-realtime-chat/testing'
import type { ChatServer } from 'vue-realtime-chat/testing'

let server: ChatServer
beforeAll(async () => { server = await createChatServer({ handshakeRejectDelayMs: 20 }) })
afterAll(() => server.close())

it('echoes to the sender', async () => {
  const { access } = server.issueTokens(1) // or POST /api/auth/login/
  const ws = new WebSocket(`${server.wsUrl}/ws/chat/2/?token=${access}`)
  await new Promise(resolve => ws.once('open', resolve))
  ws.send(JSON.stringify({ message: 'hi' }))
  const echo = await new Promise(resolve => ws.once('message', data => resolve(JSON.parse(String(data)))))
  expect(echo).toEqual({ message: 'hi', sender_id: 1 })
  expect(await server.log(1, 2)).toHaveLength(1)
  ws.close()
})
