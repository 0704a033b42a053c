/**
 * The extensions module the Nuxt module generates from `nuxt.config`: bundled the way an app
 * bundles it (esbuild, production), it pulls in exactly the extensions turned on.
 */
import { fileURLToPath } from 'node:url'
import { build, type Plugin } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { EXTENSIONS_MODULE, extensionsModule } from '../../nuxt-module/src/extensions'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** Minified bytes each extension's own module has in a bundle that uses the generated module. */
async function bundled(flags: { typing?: boolean; readReceipts?: boolean }): Promise<{ typing: number; readReceipts: number }> {
  const plugin: Plugin = {
    name: 'generated-extensions',
    setup(b) {
      b.onResolve({ filter: /^#vue-realtime-chat\/extensions$/ }, () => ({ path: EXTENSIONS_MODULE, namespace: 'generated' }))
      b.onLoad({ filter: /.*/, namespace: 'generated' }, () => ({ contents: extensionsModule(flags), resolveDir: root, loader: 'js' }))
      b.onResolve({ filter: /^vue-realtime-chat$/ }, () => ({ path: `${root}src/index.ts` }))
    },
  }
  const result = await build({
    stdin: { contents: `import extensions from '${EXTENSIONS_MODULE}'\nimport { createChat } from 'vue-realtime-chat'\nexport const chat = createChat({ extensions })`, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    external: ['vue', 'pinia', '@vueuse/core'],
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
    plugins: [plugin],
  })
  const inputs = Object.values(result.metafile.outputs)[0]!.inputs
  const bytes = (file: string): number => inputs[file]?.bytesInOutput ?? 0
  return { typing: bytes('src/core/conversation/typing.ts'), readReceipts: bytes('src/core/timeline/peer-receipts.ts') + bytes('src/core/conversation/read-receipts.ts') }
}

describe('generated extensions module', () => {
  it('exports the extensions turned on, importing nothing else', () => {
    expect(extensionsModule({ typing: false, readReceipts: false })).toBe('export default {}\n')
    expect(extensionsModule(undefined)).toBe('export default {}\n')
    expect(extensionsModule({ typing: true, readReceipts: false })).toBe(`import { typingExtension } from 'vue-realtime-chat'\nexport default { typing: typingExtension }\n`)
    expect(extensionsModule({ readReceipts: true })).toBe(`import { readReceiptsExtension } from 'vue-realtime-chat'\nexport default { readReceipts: readReceiptsExtension }\n`)
    expect(extensionsModule({ typing: true, readReceipts: true })).toBe(`import { typingExtension, readReceiptsExtension } from 'vue-realtime-chat'\nexport default { typing: typingExtension, readReceipts: readReceiptsExtension }\n`)
  })

  it('bundles neither extension when both are off, and only the one turned on', async () => {
    expect(await bundled({})).toEqual({ typing: 0, readReceipts: 0 })
    const both = await bundled({ typing: true, readReceipts: true })
    expect(both.typing).toBeGreaterThan(0)
    expect(both.readReceipts).toBeGreaterThan(0)
    const typing = await bundled({ typing: true })
    expect(typing.typing).toBeGreaterThan(0)
    expect(typing.readReceipts).toBe(0)
    const receipts = await bundled({ readReceipts: true })
    expect(receipts.typing).toBe(0)
    expect(receipts.readReceipts).toBeGreaterThan(0)
  })
})
