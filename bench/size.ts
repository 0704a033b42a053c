/**
 * Bundle size: min+gzip (zlib level 9) of our entries, of a minimal Vue app and of that app with
 * each opt-in feature, and of baseline packages, all built the same way with esbuild (bundle,
 * minify, esm, browser, production; vue, pinia and @vueuse/core external). `--check` enforces the
 * minimal app's ceiling (CI gate).
 *
 *   node --import tsx bench/size.ts           print the tables
 *   node --import tsx bench/size.ts --check   also exit 1 when the minimal app is over its ceiling or fails to build
 *   node --import tsx bench/size.ts --json    print JSON instead
 *   node --import tsx bench/size.ts --analyze also list minified bytes per source module of our bundles
 */
import { existsSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build, type Metafile, type Plugin } from 'esbuild'
import { isMain, table } from './lib/stats'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Budget of the minimal Vue app (`ChatPlugin` + `useChat` + `useChatAuth`): 17 kB min+gzip. Not met yet. */
export const MINIMAL_APP_BUDGET = 17_000
/**
 * What `--check` enforces until the budget is met: no growth past today's size plus a little room.
 * Lower it whenever the app shrinks; never raise it without saying why in the commit.
 */
export const MINIMAL_APP_CEILING = 25_360

export const MINIMAL_APP = 'minimal Vue app (ChatPlugin, useChat, useChatAuth)'

interface SizeEntry {
  name: string
  kind: 'ours' | 'feature' | 'baseline'
  /** A file under the repo root, or module source bundled from the repo root. */
  file?: string
  source?: string
  external: string[]
  budget?: number
  /** CI gate (bytes min+gzip) while the budget is not met. */
  ceiling?: number
  /** An export of `src/index.ts` the feature needs; until it exists the row says so instead of failing. */
  requires?: string
}

export interface SizeResult {
  name: string
  kind: 'ours' | 'feature' | 'baseline'
  minBytes: number | null
  gzipBytes: number | null
  /** Features: min+gzip bytes over the minimal app. */
  marginalBytes?: number | null
  budget: number | null
  /** `null` when there is no budget. */
  withinBudget: boolean | null
  ceiling: number | null
  /** `null` when there is no ceiling. The CI gate. */
  withinCeiling: boolean | null
  error: string | null
  /** Minified bytes each input module contributes, largest first (ours only). */
  modules?: Array<{ path: string; bytes: number }>
  /** Chunks loaded on demand (`import()`), min+gzip, summed. */
  lazyGzipBytes?: number
}

/** Provided by the app: never bundled into our rows. */
export const FRAMEWORK = ['vue', 'pinia', '@vueuse/core']

/** What a feature adds to the minimal app's source. */
export interface AppParts {
  imports?: string
  options?: string
  setup?: string
  /** Extra children of each message's `<li>`. */
  message?: string
  onInput?: string
}

/**
 * A tiny but complete app: sign in, list one conversation's messages, send. Features extend it at
 * marked places, so a feature's row differs from the minimal app by that feature alone.
 */
export function appSource(parts: AppParts = {}): string {
  return `
import { createApp, defineComponent, h, ref } from 'vue'
import { createPinia } from 'pinia'
import { ChatPlugin, useChat, useChatAuth } from './src/index'
${parts.imports ?? ''}
const App = defineComponent({
  setup() {
    const { user, login } = useChatAuth()
    const chat = useChat(2)
    const draft = ref('')
    ${parts.setup ?? ''}
    return () => h('main', [
      h('p', user.value ? user.value.email : 'signed out'),
      h('button', { onClick: () => login('a@b.c', 'pw') }, 'Log in'),
      h('ul', chat.messages.value.map(m => h('li', { key: m.id }, [m.content${parts.message ? `, ${parts.message}` : ''}]))),
      h('input', { value: draft.value, onInput: (e: Event) => { draft.value = (e.target as HTMLInputElement).value; ${parts.onInput ?? ''} } }),
      h('button', { onClick: () => chat.send(draft.value).ok && (draft.value = '') }, 'Send'),
    ])
  },
})
createApp(App).use(createPinia()).use(ChatPlugin, { baseUrl: 'https://chat.example'${parts.options ? `, ${parts.options}` : ''} }).mount('#app')
`
}

/**
 * Opt-in features, each measured as the minimal app plus that feature. Add every new opt-in
 * feature here (with `requires` naming its export, so the row waits for it): notifications,
 * inbox, devtools (development builds only, so its production row must show +0 B).
 */
const FEATURES: ReadonlyArray<{ name: string; parts: AppParts; requires?: string }> = [
  { name: 'typing (typingExtension)', requires: 'typingExtension', parts: { imports: `import { typingExtension } from './src/index'`, options: 'extensions: { typing: typingExtension }', onInput: 'chat.notifyTyping()', message: `chat.typingPeers.value.length ? 'typing' : ''` } },
  { name: 'read receipts (readReceiptsExtension)', requires: 'readReceiptsExtension', parts: { imports: `import { readReceiptsExtension } from './src/index'`, options: 'extensions: { readReceipts: readReceiptsExtension }', setup: 'chat.markRead()', message: `m.isRead ? 'read' : ''` } },
  { name: 'sanitiser (vue-realtime-chat/sanitize, DOMPurify bundled)', parts: { imports: `import { sanitizeHtml } from './src/sanitize/index'`, message: 'h(\'span\', { innerHTML: sanitizeHtml(m.content) })' } },
  { name: 'notifications (useChatNotifications)', requires: 'useChatNotifications', parts: { imports: `import { useChatNotifications } from './src/index'`, setup: 'useChatNotifications()' } },
  { name: 'inbox (useChatInbox)', requires: 'useChatInbox', parts: { imports: `import { useChatInbox } from './src/index'`, setup: 'useChatInbox([2, 3])' } },
  { name: 'history cache (historyCache: true)', parts: { options: 'historyCache: true' } },
  // ChatPlugin registers the devtools plugin only when NODE_ENV is not production: this row is the proof it costs nothing there.
  { name: 'devtools (ChatPlugin in a production build)', parts: {} },
]

export const SIZE_ENTRIES: readonly SizeEntry[] = [
  { name: MINIMAL_APP, kind: 'ours', source: appSource(), external: FRAMEWORK, budget: MINIMAL_APP_BUDGET, ceiling: MINIMAL_APP_CEILING },
  ...FEATURES.map(f => ({ name: `+ ${f.name}`, kind: 'feature' as const, source: appSource(f.parts), external: FRAMEWORK, ...(f.requires ? { requires: f.requires } : {}) })),
  { name: 'ours: Vue entry + core, every export (src/index.ts)', kind: 'ours', file: 'src/index.ts', external: [...FRAMEWORK, 'dompurify'] },
  { name: 'ours: core, every export (src/core/index.ts)', kind: 'ours', file: 'src/core/index.ts', external: [...FRAMEWORK, 'dompurify'] },
  { name: 'ours: sanitize, DOMPurify external', kind: 'ours', file: 'src/sanitize/index.ts', external: [...FRAMEWORK, 'dompurify'] },
  { name: 'ours: sanitize, DOMPurify bundled', kind: 'ours', file: 'src/sanitize/index.ts', external: FRAMEWORK },
  { name: 'centrifuge', kind: 'baseline', source: `export * from 'centrifuge'`, external: [] },
  { name: 'phoenix', kind: 'baseline', source: `export * from 'phoenix'`, external: [] },
  { name: 'socket.io-client', kind: 'baseline', source: `export * from 'socket.io-client'`, external: [] },
  { name: 'partysocket', kind: 'baseline', source: `export * from 'partysocket'`, external: [] },
  { name: '@vueuse/core useWebSocket alone', kind: 'baseline', source: `export { useWebSocket } from '@vueuse/core'`, external: ['vue'] },
]

/** min+gzip bytes of chunks fetched one by one (each compressed on its own, as a server sends it). */
export function gzipSize(chunks: readonly Uint8Array[]): number {
  return chunks.reduce((n, chunk) => n + gzipSync(chunk, { level: 9 }).length, 0)
}

/** What a build loads up front, what it loads on demand (`import()`), and the entry's metafile output. */
export interface BuiltEntry {
  /** The entry chunk and the chunks it imports statically. */
  upFront: Uint8Array[]
  lazy: Uint8Array[]
  /** Metafile outputs of the up-front chunks (their modules, for `--analyze`). */
  outputs: Array<Metafile['outputs'][string]>
}

/**
 * Build one row the way every row is built (bundle, minify, esm, browser, production, code split
 * like an app's bundler); `plugins` let tools change modules on the way in (`size-attribution.ts`).
 */
export async function buildEntry(entry: Pick<SizeEntry, 'file' | 'source' | 'external'>, plugins: Plugin[] = []): Promise<BuiltEntry> {
  const result = await build({
    ...(entry.file
      ? { entryPoints: [`${root}/${entry.file}`] }
      : { stdin: { contents: entry.source ?? '', resolveDir: root, loader: 'ts' as const } }),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    // What loads on demand (import()) is its own chunk.
    splitting: true,
    outdir: `${root}/.size-out`,
    external: entry.external,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
    metafile: true,
    plugins,
  })
  const outputs = result.metafile.outputs
  // The entry's own output (a dynamic import's chunk has an `entryPoint` too).
  const entryPoint = entry.file ? relative(process.cwd(), `${root}/${entry.file}`) : '<stdin>'
  const entryPath = Object.keys(outputs).find(path => outputs[path]!.entryPoint === entryPoint)
  if (!entryPath) throw new Error(`esbuild produced no output for ${entryPoint}`)
  // Up front: the entry and every chunk it imports statically (code it shares with a lazy chunk is
  // split into such a chunk); the other chunks load on demand.
  const upFront = new Set<string>()
  const visit = (path: string): void => {
    if (upFront.has(path) || !outputs[path]) return
    upFront.add(path)
    for (const i of outputs[path].imports) if (i.kind === 'import-statement') visit(i.path)
  }
  visit(entryPath)
  const js = result.outputFiles.filter(f => f.path.endsWith('.js'))
  const isUpFront = (file: string): boolean => [...upFront].some(path => resolve(process.cwd(), path) === file)
  return {
    upFront: js.filter(f => isUpFront(f.path)).map(f => f.contents),
    lazy: js.filter(f => !isUpFront(f.path)).map(f => f.contents),
    outputs: [...upFront].map(path => outputs[path]!),
  }
}

async function measure(entry: SizeEntry, exported: ReadonlySet<string>): Promise<SizeResult> {
  const budget = entry.budget ?? null
  const ceiling = entry.ceiling ?? null
  const base = { name: entry.name, kind: entry.kind, budget, ceiling }
  const missing = entry.file && !existsSync(`${root}/${entry.file}`)
    ? `${entry.file} does not exist yet`
    : entry.requires && !exported.has(entry.requires) ? `not built yet (no ${entry.requires} export)` : null
  if (missing)
    return { ...base, minBytes: null, gzipBytes: null, withinBudget: budget === null ? null : false, withinCeiling: ceiling === null ? null : false, error: missing }
  try {
    const { upFront, lazy, outputs } = await buildEntry(entry)
    const gzipBytes = gzipSize(upFront)
    const lazyGzipBytes = gzipSize(lazy)
    const modules = entry.kind === 'ours'
      ? outputs.flatMap(o => Object.entries(o.inputs)).map(([path, info]) => ({ path, bytes: info.bytesInOutput })).sort((a, b) => b.bytes - a.bytes)
      : undefined
    return { ...base, minBytes: upFront.reduce((n, c) => n + c.length, 0), gzipBytes, lazyGzipBytes, withinBudget: budget === null ? null : gzipBytes <= budget, withinCeiling: ceiling === null ? null : gzipBytes <= ceiling, error: null, ...(modules ? { modules } : {}) }
  }
  catch (error) {
    const message = error instanceof Error ? error.message.split('\n').slice(0, 3).join(' ') : String(error)
    return { ...base, minBytes: null, gzipBytes: null, withinBudget: budget === null ? null : false, withinCeiling: ceiling === null ? null : false, error: message }
  }
}

/** Build and measure every entry, ours, the app with its features, and baselines, in this run. */
export async function measureSizes(): Promise<SizeResult[]> {
  const exported = new Set(Object.keys(await import('../src/index') as Record<string, unknown>))
  const results: SizeResult[] = []
  for (const entry of SIZE_ENTRIES) results.push(await measure(entry, exported))
  const app = results.find(r => r.name === MINIMAL_APP)?.gzipBytes ?? null
  for (const r of results.filter(x => x.kind === 'feature'))
    r.marginalBytes = r.gzipBytes === null || app === null ? null : r.gzipBytes - app
  return results
}

const kB = (bytes: number | null) => (bytes === null ? '-' : (bytes / 1000).toFixed(2))

/** Plain-text tables of size results: bundles, then each feature's cost over the minimal app. */
export function sizeTable(results: readonly SizeResult[]): string {
  const vueWs = results.find(r => r.name.startsWith('@vueuse'))?.gzipBytes ?? null
  const bundles = table(
    ['bundle', 'min kB', 'min+gz kB', 'vs useWebSocket', 'budget kB', 'status', 'CI ceiling kB', 'gate'],
    results.filter(r => r.kind !== 'feature').map(r => [
      r.name,
      kB(r.minBytes),
      kB(r.gzipBytes),
      r.gzipBytes !== null && vueWs ? `${(r.gzipBytes / vueWs).toFixed(2)}x` : '-',
      r.budget === null ? '-' : kB(r.budget),
      r.error ? `ERROR: ${r.error}` : r.withinBudget === null ? '' : r.withinBudget ? 'ok' : 'OVER BUDGET',
      r.ceiling === null ? '-' : kB(r.ceiling),
      r.withinCeiling === null ? '' : r.withinCeiling ? 'ok' : 'FAIL',
    ]),
  )
  const features = table(
    ['opt-in feature, added to the minimal app', 'min+gz kB', 'marginal B min+gz', 'loaded on demand B min+gz'],
    results.filter(r => r.kind === 'feature').map(r => [
      r.name,
      kB(r.gzipBytes),
      r.error ? r.error : r.marginalBytes == null ? '-' : `${r.marginalBytes >= 0 ? '+' : ''}${r.marginalBytes}`,
      r.lazyGzipBytes ? String(r.lazyGzipBytes) : '-',
    ]),
  )
  return `${bundles}\n\n${features}`
}

if (isMain(import.meta.url)) {
  const results = await measureSizes()
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`)
  }
  else {
    process.stdout.write(`Bundle sizes (esbuild ${(await import('esbuild')).version}: bundle, minify, esm, browser, NODE_ENV=production; gzip level 9; 1 kB = 1000 B)\n`)
    process.stdout.write(`${sizeTable(results)}\n`)
    if (process.argv.includes('--analyze')) {
      for (const r of results.filter(x => x.modules)) {
        process.stdout.write(`\n${r.name}: minified bytes per module\n`)
        process.stdout.write(`${table(['module', 'min B'], (r.modules ?? []).map(m => [m.path, m.bytes]))}\n`)
      }
    }
  }
  if (process.argv.includes('--check')) {
    // The gate is the ceiling (no regression); the budget is reported above until it is met.
    const failing = results.filter(r => r.withinCeiling === false)
    for (const r of failing)
      process.stderr.write(`size gate: ${r.name} ${r.error ? `failed to build: ${r.error}` : `is ${r.gzipBytes} B min+gzip, ceiling ${r.ceiling} B (budget ${r.budget} B)`}\n`)
    for (const r of results.filter(x => x.withinBudget === false && x.withinCeiling !== false))
      process.stdout.write(`size budget not met: ${r.name} is ${r.gzipBytes} B min+gzip, budget ${r.budget} B (CI gate: ceiling ${r.ceiling} B)\n`)
    process.exitCode = failing.length ? 1 : 0
  }
}
