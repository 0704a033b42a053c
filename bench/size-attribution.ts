/**
 * What each always-on part of the minimal Vue app (`bench/size.ts`, the CI gate) costs: the app is
 * built once per part with that part replaced by a stub with the same exports (all `undefined`,
 * or the exports named in `keep` taken from the real module), through an esbuild plugin, and the
 * stubbed build's min+gzip bytes are subtracted from the full app's. What only that part pulls in
 * is counted with it; gzip makes the figures non-additive, so the sum is printed next to the
 * size of the app with every part stubbed at once. The stubbed builds are measured, never run.
 *
 *   node --import tsx bench/size-attribution.ts          the table
 *   node --import tsx bench/size-attribution.ts --json   JSON instead
 */
import { readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'esbuild'
import { table } from './lib/stats'
import { appSource, buildEntry, FRAMEWORK, gzipSize, MINIMAL_APP } from './size'

const root = fileURLToPath(new URL('..', import.meta.url))

/** How one module is replaced. */
interface Stub {
  /** A source file under the repo root, or a package name. */
  module: string
  /** Exports taken from the real module; every other export is `undefined`. */
  keep?: readonly string[]
  /** Rewrite the real source instead (for a part that is not a module of its own); must match. */
  rewrite?: readonly [RegExp, string]
  /** The stub's own source (a part whose removal must keep what it leads to); other exports `undefined`. */
  source?: string
}

interface Part {
  name: string
  guarantee: string
  stubs: readonly Stub[]
}

/** The Vue layer stubbed: the plugin still creates the client, so the core stays in the build. */
const VUE_LAYER_STUB = `
import { createChatClient } from '../core/client'
export const ChatPlugin = { install: (_app, options) => { createChatClient(options) } }
`

export const PARTS: readonly Part[] = [
  { name: 'owner lease', guarantee: 'two live tabs never resend each other\'s queued messages; a closed tab\'s are adopted', stubs: [{ module: 'src/core/persistence/owner-lease.ts' }] },
  { name: 'outbox persistence', guarantee: 'unsent messages survive a reload, bounded, adopted only once the claim is stored', stubs: [{ module: 'src/core/persistence/outbox.ts' }] },
  { name: 'session sync across tabs', guarantee: 'one session across tabs and reloads; a token never crosses the channel', stubs: [{ module: 'src/core/auth/session-sync.ts' }] },
  { name: 'handshake diagnosis', guarantee: 'a refused handshake is told apart: outage (stay signed in), refresh, or sign-out; no refresh loop', stubs: [{ module: 'src/core/auth/diagnosis.ts' }] },
  { name: 'replay memory', guarantee: 'the first-frame wait of a replay is learnt per user, so an empty history ends quickly', stubs: [{ module: 'src/core/persistence/replay-memory.ts' }] },
  { name: 'gap duplicates', guarantee: 'a message stored between join and history read is shown once, not twice', stubs: [{ module: 'src/core/timeline/gap-duplicates.ts' }] },
  { name: 'echo watchdog + race window', guarantee: 'a send with no echo is settled by a replay; sends wait out the join/history race', stubs: [{ module: 'src/core/conversation/echo-watchdog.ts' }, { module: 'src/core/conversation/race-window.ts' }] },
  { name: 'jwt-decode', guarantee: 'token payloads decoded by a maintained decoder (expiry, user id)', stubs: [{ module: 'jwt-decode' }] },
  {
    name: 'option validation',
    guarantee: 'a nonsense option value falls back to its default instead of breaking the client',
    // `withDefaults` is the validating merge; a plain spread takes its place.
    stubs: [{ module: 'src/core/options.ts', rewrite: [/function withDefaults\([\s\S]*?\n\}\n/, 'function withDefaults(fallback: object, given: object | undefined): Record<string, unknown> { return { ...fallback, ...given } }\n'] }],
  },
  { name: 'frame decoding + validation', guarantee: 'a malformed or oversized frame is a typed error, never a broken message (with the timestamp reader)', stubs: [{ module: 'src/core/transport/protocol.ts', keep: ['MALFORMED_PREVIEW_LENGTH', 'DEFAULT_MAX_FRAME_LENGTH', 'encodeMessage', 'encodeExtension', 'normaliseUserId', 'parseTimestamp', 'normaliseTimestamp'] }] },
  { name: 'message-status table', guarantee: 'every send status change goes through one table; an unexpected one is reported', stubs: [{ module: 'src/core/timeline/message-status.ts' }] },
  { name: 'auth phase table', guarantee: 'one auth state machine; every change names its reason, a refused one changes nothing', stubs: [{ module: 'src/core/auth/phase.ts' }] },
  { name: 'end of replay', guarantee: 'the end of a replay with no end marker is found; a replay that never goes quiet is bounded', stubs: [{ module: 'src/core/transport/replay-end.ts' }] },
  { name: 'refresh runner + schedule', guarantee: 'one refresh at a time across tabs, before expiry; outages back off, only a refused refresh signs out', stubs: [{ module: 'src/core/auth/refresh-runner.ts' }, { module: 'src/core/auth/refresh-schedule.ts' }] },
  { name: 'stored session', guarantee: 'the stored token pair is read, repaired and owned by one tab; storage never keeps a revoked pair', stubs: [{ module: 'src/core/auth/stored-session.ts' }] },
  { name: 'replay alignment', guarantee: 'a replay is merged with what is shown and queued: nothing lost, nothing doubled', stubs: [{ module: 'src/core/timeline/replay-alignment.ts' }] },
  { name: 'Vue store + composables', guarantee: 'the Pinia store, ChatPlugin, useChat and useChatAuth (the core kept, created by the plugin)', stubs: [{ module: 'src/vue/index.ts', source: VUE_LAYER_STUB }] },
]

const REAL = '?real'

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Runtime export names of a module (types have none). */
async function exportsOf(module: string): Promise<string[]> {
  return Object.keys(await import(module.startsWith('src/') ? `${root}${module}` : module) as Record<string, unknown>)
}

async function stubSource(stub: Stub): Promise<string> {
  const keep = stub.keep ?? []
  const names = await exportsOf(stub.module)
  for (const k of keep) if (!names.includes(k)) throw new Error(`${stub.module} has no export ${k}`)
  const given = [...(stub.source ?? '').matchAll(/export const (\w+)/g)].map(m => m[1])
  const lines = [stub.source ?? '', ...names.filter(n => !keep.includes(n) && !given.includes(n)).map(n => `export const ${n} = void 0`)]
  if (keep.length) lines.push(`export { ${keep.join(', ')} } from ${JSON.stringify(`${root}${stub.module}${REAL}`)}`)
  return lines.join('\n')
}

/** An esbuild plugin that loads each stubbed module as its stub (or its rewritten source). */
async function stubPlugin(stubs: readonly Stub[]): Promise<Plugin> {
  const files = new Map<string, string>()
  const packages = new Map<string, string>()
  for (const stub of stubs) {
    if (!stub.module.startsWith('src/')) {
      packages.set(stub.module, await stubSource(stub))
      continue
    }
    const path = `${root}${stub.module}`
    if (stub.rewrite) {
      const [pattern, replacement] = stub.rewrite
      const real = readFileSync(path, 'utf8')
      const rewritten = real.replace(pattern, replacement)
      if (rewritten === real) throw new Error(`${stub.module}: the rewrite matched nothing`)
      files.set(path, rewritten)
    }
    else {
      files.set(path, await stubSource(stub))
    }
  }
  return {
    name: 'size-attribution-stubs',
    setup(b) {
      b.onResolve({ filter: new RegExp(`${escapeRegExp(REAL)}$`) }, args => ({ path: args.path.slice(0, -REAL.length), namespace: 'real' }))
      b.onLoad({ filter: /.*/, namespace: 'real' }, args => ({ contents: readFileSync(args.path, 'utf8'), loader: 'ts', resolveDir: dirname(args.path) }))
      for (const name of packages.keys())
        b.onResolve({ filter: new RegExp(`^${escapeRegExp(name)}$`) }, () => ({ path: name, namespace: 'stub-package' }))
      b.onLoad({ filter: /.*/, namespace: 'stub-package' }, args => ({ contents: packages.get(args.path) ?? '', loader: 'ts', resolveDir: root }))
      b.onLoad({ filter: /\.ts$/ }, args => {
        const contents = files.get(args.path)
        return contents === undefined ? undefined : { contents, loader: 'ts', resolveDir: dirname(args.path) }
      })
    },
  }
}

async function appGzip(stubs: readonly Stub[] = []): Promise<number> {
  const { upFront } = await buildEntry({ source: appSource(), external: FRAMEWORK }, stubs.length ? [await stubPlugin(stubs)] : [])
  return gzipSize(upFront)
}

export interface Attribution {
  part: string
  guarantee: string
  /** Min+gzip bytes the app would lose without the part (and what only it pulls in). */
  marginalBytes: number
}

/** The full app's size, each part's marginal cost, and the app with every part stubbed at once. */
export async function attribute(): Promise<{ appBytes: number; parts: Attribution[]; sum: number; allStubbedBytes: number }> {
  const appBytes = await appGzip()
  const parts: Attribution[] = []
  for (const p of PARTS) parts.push({ part: p.name, guarantee: p.guarantee, marginalBytes: appBytes - await appGzip(p.stubs) })
  const sum = parts.reduce((n, p) => n + p.marginalBytes, 0)
  const allStubbedBytes = await appGzip(PARTS.filter(p => !p.name.startsWith('Vue')).flatMap(p => p.stubs))
  return { appBytes, parts, sum, allStubbedBytes }
}

const { appBytes, parts, sum, allStubbedBytes } = await attribute()
if (process.argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify({ appBytes, parts, sum, allStubbedBytes }, null, 2)}\n`)
}
else {
  process.stdout.write(`${MINIMAL_APP}: ${appBytes} B min+gzip. What each part costs (the app with the part stubbed, subtracted):\n`)
  const width = Math.max(...parts.map(p => p.guarantee.length))
  const rows = [...parts.map(p => [p.part, p.marginalBytes, p.guarantee.padEnd(width)]), ['sum', sum, ''.padEnd(width)]]
  process.stdout.write(`${table(['part', 'marginal B min+gz', 'guarantee'.padEnd(width)], rows)}\n`)
  process.stdout.write(`Every core part above stubbed at once: ${appBytes - allStubbedBytes} B (the app would be ${allStubbedBytes} B).\n`)
}
