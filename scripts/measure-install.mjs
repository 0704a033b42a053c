#!/usr/bin/env node
// What installing the package costs a user: an empty project with vue, pinia and @vueuse/core
// (the baseline) against the same project plus the packed library. Counts the packages in
// node_modules and their size, as `npm install` leaves them (optional peers are not installed).
//
// Usage: node scripts/measure-install.mjs              pack this repo (needs a build: npm run build)
//        node scripts/measure-install.mjs a.tgz b.tgz  measure given tarballs, e.g. an older release
//        add --json for machine-readable output
//        add --check to also run the installed package without its optional peers: the Vue and core
//        entries load, the Nuxt module and createChatServer() fail naming what to install, and the
//        test server runs once `ws` is installed (exit 1 otherwise)
import { execFileSync } from 'node:child_process'
import { existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const FRAMEWORK = ['vue', 'pinia', '@vueuse/core']
const args = process.argv.slice(2)
const json = args.includes('--json')
const checkPeers = args.includes('--check')
const tarballs = args.filter(a => !a.startsWith('--')).map(a => resolve(a))
const work = mkdtempSync(join(tmpdir(), 'vrc-install-'))

function npm(cwd, ...npmArgs) {
  return execFileSync('npm', [...npmArgs, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
}

function pack() {
  if (!existsSync(join(root, 'dist'))) throw new Error('dist/ is missing: run `npm run build` first')
  const out = npm(root, 'pack', '--json', '--pack-destination', work)
  return join(work, JSON.parse(out)[0].filename)
}

/** Packages (every directory with a package.json under node_modules, nested and scoped ones too) and bytes. */
function walk(dir, totals = { packages: 0, bytes: 0, diskBytes: 0 }) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const stat = lstatSync(path)
    totals.bytes += stat.isFile() ? stat.size : 0
    totals.diskBytes += stat.blocks * 512
    if (entry.isDirectory()) {
      if (basename(dir) === 'node_modules' || basename(dir).startsWith('@')) {
        if (existsSync(join(path, 'package.json')) && !entry.name.startsWith('.')) totals.packages++
      }
      walk(path, totals)
    }
  }
  return totals
}

function measure(label, extra) {
  const dir = mkdtempSync(join(work, 'app-'))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  npm(dir, 'install', ...FRAMEWORK, ...extra)
  const totals = walk(join(dir, 'node_modules'))
  return { label, dir, ...totals }
}

// Runs in the installed project, as a user's code would.
const WITHOUT_PEERS = `
const peerError = async (promise, names) => {
  let value
  try { value = await promise } catch (e) {
    const ok = e.name === 'ChatSetupError' && e.code === 'peer_missing' && names.every(n => e.message.includes("'" + n + "'")) && e.message.includes('npm install -D ' + names.join(' '))
    if (ok) return e.message
    throw new Error('unexpected error: ' + e.message)
  }
  await value?.close?.()
  throw new Error('worked without ' + names.join(', ') + ', so it is not an optional peer')
}
const results = []
const check = async (name, fn) => { try { results.push('ok   ' + name + ': ' + await fn()) } catch (e) { results.push('FAIL ' + name + ': ' + e.message); process.exitCode = 1 } }
await check('vue-realtime-chat', async () => typeof (await import('vue-realtime-chat')).createChat)
await check('vue-realtime-chat/core', async () => typeof (await import('vue-realtime-chat/core')).createChatClient)
await check('vue-realtime-chat/testing without ws', async () => {
  const testing = await import('vue-realtime-chat/testing')
  testing.createChatBackend()
  return peerError(testing.createChatServer(), ['ws'])
})
await check('vue-realtime-chat/nuxt without @nuxt/kit, defu', () => peerError(import('vue-realtime-chat/nuxt'), ['@nuxt/kit', 'defu']))
console.log(results.join('\\n'))
`
const WITH_WS = `
const { createChatServer } = await import('vue-realtime-chat/testing')
const { WebSocket } = await import('ws')
const server = await createChatServer()
const login = await fetch(server.url + '/api/auth/login/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'student@example.com', password: 'student123' }) })
const { tokens: { access } } = await login.json()
const socket = new WebSocket(server.wsUrl + '/ws/chat/2/?token=' + access)
await new Promise((resolve, reject) => { socket.on('open', resolve); socket.on('error', reject) })
socket.close()
await server.close()
console.log('ok   createChatServer() once ws is installed: login ' + login.status + ', WebSocket open')
`

function node(dir, source) {
  try {
    return { ok: true, out: execFileSync('node', ['--input-type=module', '-e', source], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }) }
  }
  catch (error) {
    return { ok: false, out: `${error.stdout ?? ''}${error.stderr ?? error.message}` }
  }
}

function verify(dir) {
  const without = node(dir, WITHOUT_PEERS)
  npm(dir, 'install', 'ws')
  const withWs = node(dir, WITH_WS)
  return { ok: without.ok && withWs.ok, out: `${without.out}${withWs.out}`.trimEnd() }
}

try {
  const rows = [measure('vue + pinia + @vueuse/core', [])]
  for (const tarball of tarballs.length ? tarballs : [pack()])
    rows.push(measure(`  + ${basename(tarball)}`, [tarball]))
  const checks = checkPeers ? rows.slice(1).map(r => ({ label: r.label, ...verify(r.dir) })) : []
  if (json) {
    console.log(JSON.stringify({ rows: rows.map(({ dir: _dir, ...r }) => r), checks }, null, 2))
  }
  else {
    const mb = n => (n / 1e6).toFixed(1).padStart(8)
    console.log(`${'project'.padEnd(44)} packages  files MB   disk MB`)
    for (const r of rows) console.log(`${r.label.padEnd(44)} ${String(r.packages).padStart(8)}  ${mb(r.bytes)}  ${mb(r.diskBytes)}`)
    for (const c of checks) console.log(`\n${c.label.trim()}, run without optional peers:\n${c.out}`)
  }
  if (checks.some(c => !c.ok)) process.exitCode = 1
}
finally {
  rmSync(work, { recursive: true, force: true })
}
