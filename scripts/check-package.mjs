#!/usr/bin/env node
// Smoke test of the built package: every `exports` entry resolves from dist through the package's
// own name (as a consumer would import it) and exposes the names the README documents.
import { readFileSync } from 'node:fs'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const expected = {
  'vue-realtime-chat': ['ChatPlugin', 'createChat', 'useChat', 'useChatAuth', 'useChatStore', 'createChatClient', 'ChatError', 'createMemoryStorage', 'DEFAULTS'],
  'vue-realtime-chat/core': ['createChatClient', 'ChatError', 'createMemoryStorage', 'createWebStorage', 'DEFAULTS'],
  'vue-realtime-chat/protocol': ['Timeline', 'decodeFrame', 'encodeMessage', 'normaliseUserId', 'computeBackoff'],
  'vue-realtime-chat/sanitize': ['sanitizeHtml', 'escapeHtml', 'vChatHtml'],
  'vue-realtime-chat/testing': ['createChatServer', 'createChatBackend', 'createMemoryStore', 'DEFAULT_USERS'],
  'vue-realtime-chat/nuxt': ['default'],
}
let failed = 0
for (const entry of Object.keys(pkg.exports)) {
  const specifier = entry === '.' ? pkg.name : `${pkg.name}/${entry.slice(2)}`
  try {
    const mod = await import(specifier)
    const missing = (expected[specifier] ?? []).filter(name => !(name in mod))
    if (missing.length) throw new Error(`missing exports: ${missing.join(', ')}`)
    console.log(`ok   ${specifier}`)
  }
  catch (error) {
    failed++
    console.log(`FAIL ${specifier}: ${error instanceof Error ? error.message : String(error)}`)
  }
}
process.exit(failed ? 1 : 0)
