import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

/** An app importing `names` from the Vue entry, built as `bench/size.ts` builds (minified esm, browser). */
async function bundle(names: string[], mode: 'production' | 'development') {
  const result = await build({
    stdin: { contents: `import { ${names.join(', ')} } from './src/index.ts'\nexport const used = [${names.join(', ')}]`, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, metafile: true, logLevel: 'silent',
    external: ['vue', 'pinia', '@vueuse/core', 'dompurify'],
    define: { 'process.env.NODE_ENV': JSON.stringify(mode) },
  })
  const inputs = Object.entries(Object.values(result.metafile.outputs)[0]!.inputs)
    .filter(([, info]) => info.bytesInOutput > 0)
    .map(([path]) => path)
  return { code: result.outputFiles[0]!.text, inputs }
}

const MINIMAL = ['ChatPlugin', 'useChat', 'useChatAuth']
const only = (inputs: string[], pattern: RegExp) => inputs.filter(path => pattern.test(path))
const FEATURES = /useChatNotifications|useChatInbox|heldConversations|devtools/

describe('notifications, inbox and devtools are tree-shaken away when unused', () => {
  it('a minimal production app contains none of them', async () => {
    const { code, inputs } = await bundle(MINIMAL, 'production')
    expect(only(inputs, FEATURES)).toEqual([])
    for (const marker of ['addTimelineLayer', 'getInspectorTree', 'messages by state', '__VUE_DEVTOOLS', 'New message', 'requestPermission', 'lastActivity']) {
      expect(code.includes(marker), marker).toBe(false)
    }
  })

  it('the devtools plugin is in a development build of the same app', async () => {
    const { code, inputs } = await bundle(MINIMAL, 'development')
    expect(only(inputs, /src\/vue\/devtools\//).length).toBeGreaterThan(0)
    for (const marker of ['addTimelineLayer', 'getInspectorTree', 'messages by state']) expect(code.includes(marker), marker).toBe(true)
  })

  it('each composable brings only its own modules', async () => {
    const notifications = await bundle([...MINIMAL, 'useChatNotifications'], 'production')
    expect(only(notifications.inputs, FEATURES).map(p => p.replace(/^.*src\/vue\//, ''))).toEqual(['heldConversations.ts', 'useChatNotifications.ts'])
    const inbox = await bundle([...MINIMAL, 'useChatInbox'], 'production')
    expect(only(inbox.inputs, FEATURES).map(p => p.replace(/^.*src\/vue\//, ''))).toEqual(['useChatInbox.ts'])
  })
})
