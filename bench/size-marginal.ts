/**
 * What each source module really costs in the minimal Vue app of `bench/size.ts` (the CI gate): the
 * app's min+gzip bytes with the module replaced by an empty stub (its exports `undefined`),
 * subtracted from the full size. Anything only that module pulls in (its private imports, a
 * dependency) is counted with it; gzip makes the figures non-additive. A tool for size work, not
 * part of `npm run bench`.
 *
 *   node --import tsx bench/size-marginal.ts
 */
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'esbuild'
import { table } from './lib/stats'
import { appSource, buildEntry, FRAMEWORK, gzipSize, MINIMAL_APP } from './size'

const root = fileURLToPath(new URL('..', import.meta.url))

async function entryGzip(stub?: { path: string; names: string[] }): Promise<number> {
  const plugin: Plugin = {
    name: 'stub-module',
    setup(b) {
      if (!stub) return
      b.onLoad({ filter: /\.ts$/ }, args => args.path === stub.path
        ? { contents: stub.names.map(n => `export const ${n} = void 0`).join('\n') || 'export {}', loader: 'ts' }
        : undefined)
    },
  }
  const { upFront } = await buildEntry({ source: appSource(), external: FRAMEWORK }, [plugin])
  return gzipSize(upFront)
}

const full = await entryGzip()
const rows: Array<[string, number]> = []
for (const dir of ['src/core', 'src/vue']) {
  for (const file of readdirSync(`${root}${dir}`, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts') || file.endsWith('index.ts') || file === 'types.ts') continue
    const path = `${root}${dir}/${file}`
    const names = Object.keys(await import(path) as Record<string, unknown>)
    rows.push([`${dir}/${file}`, full - await entryGzip({ path, names })])
  }
}
rows.sort((a, b) => b[1] - a[1])
process.stdout.write(`${MINIMAL_APP}: ${full} B min+gzip. Bytes saved if the module were empty:\n`)
process.stdout.write(`${table(['module', 'B min+gzip'], rows.map(([p, b]) => [p, b]))}\n`)
