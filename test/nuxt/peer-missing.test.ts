import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadNuxt } from 'nuxt'
import type { Nuxt } from 'nuxt/schema'
import { describe, expect, it } from 'vitest'

const modulePath = fileURLToPath(new URL('../../nuxt-module/src/module', import.meta.url))

/** Errors of `nuxt.ready()` (module setup) for an app whose modules are resolved from `modulesDir` only. */
async function setupError(modulesDir: string[], prepare: (rootDir: string) => void = () => {}): Promise<unknown> {
  const rootDir = mkdtempSync(join(tmpdir(), 'vrc-nuxt-'))
  prepare(rootDir)
  // Nuxt adds the repo's node_modules to modulesDir; this app-level module runs first and narrows it.
  const narrow = (_options: unknown, nuxt: Nuxt) => {
    nuxt.options.modulesDir = modulesDir.map(dir => join(rootDir, dir))
  }
  const nuxt = await loadNuxt({ cwd: rootDir, ready: false, overrides: { modules: [narrow, modulePath], telemetry: false, devtools: { enabled: false } } })
  try {
    await nuxt.ready()
    return undefined
  }
  catch (error) {
    return error
  }
  finally {
    await nuxt.close()
    rmSync(rootDir, { recursive: true, force: true })
  }
}

describe('vue-realtime-chat/nuxt without @pinia/nuxt in the app', () => {
  it('fails with a peer_missing ChatSetupError naming @pinia/nuxt and the install command', async () => {
    const error = await setupError(['node_modules'])
    expect(error).toMatchObject({ name: 'ChatSetupError', code: 'peer_missing' })
    expect((error as Error).message).toBe(`vue-realtime-chat/nuxt needs '@pinia/nuxt' (optional peer dependency of vue-realtime-chat). Install: npm install -D @pinia/nuxt`)
  })

  it('leaves Nuxt\'s own error when @pinia/nuxt is there but fails to load', async () => {
    const error = await setupError(['node_modules'], (rootDir) => {
      const dir = join(rootDir, 'node_modules', '@pinia', 'nuxt')
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@pinia/nuxt', type: 'module', exports: './missing.mjs' }))
    })
    expect(error).toBeInstanceOf(Error)
    expect(error).not.toMatchObject({ name: 'ChatSetupError' })
    expect((error as Error).message).toContain('@pinia/nuxt')
  })
})
