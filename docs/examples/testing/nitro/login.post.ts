// server/api/auth/login.post.ts (token/refresh.post.ts has the same shape)
// In Nitro these h3 helpers are auto-imported.
import { defineEventHandler, readRawBody, setResponseStatus } from 'h3'
import { chat } from './chat'

export default defineEventHandler(async (event) => {
  const { status, body } = chat.login(await readRawBody(event) ?? '')
  setResponseStatus(event, status)
  return body
})
