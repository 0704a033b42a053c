/** Runs the vanilla example of README.md, verbatim, against the real test server. */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { createChatClient } from '../../src/core/client'
import type { ConversationSnapshot } from '../../src/core/types'
import { NodeWebSocket, startServer, USERS, waitFor } from './helpers'

interface OpenChat {
  send(text: string): { ok: boolean }
  close(): void
}
type OpenChatFn = (o: Record<string, unknown>) => Promise<OpenChat>

function loadExample(): OpenChatFn {
  const md = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8')
  const block = /<!-- vanilla-example:start -->\s*```js\n([\s\S]*?)```\s*<!-- vanilla-example:end -->/.exec(md)?.[1]
  if (!block) throw new Error('vanilla example not found in README.md')
  const body = block
    .replace(/^import .*$/m, '')
    .replace(/^export async function openChat/m, 'return async function openChat')
  return new Function('createChatClient', body)(createChatClient) as OpenChatFn
}

it('the vanilla example from the docs works against the test server', async () => {
  const server = await startServer()
  const openChat = loadExample()
  let last: ConversationSnapshot | null = null
  const chat = await openChat({
    baseUrl: server.url,
    email: USERS.student.email,
    password: USERS.student.password,
    peerId: 2,
    WebSocket: NodeWebSocket,
    onChange: (s: ConversationSnapshot) => { last = s },
  })
  try {
    await waitFor(() => last?.status === 'live', 'live')
    expect(chat.send('Hello!').ok).toBe(true)
    expect(chat.send('   ').ok).toBe(false)
    await waitFor(() => last?.messages.length === 1 && last.messages[0]?.status === 'sent', 'echo')
    expect((await server.log(1, 2)).map(m => m.content)).toEqual(['Hello!'])
  }
  finally {
    chat.close()
    await server.close()
  }
})
