import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

/**
 * Build the playground once per e2e run (`E2E_REUSE_BUILD=1` reuses an existing
 * `playground/.output`, for iterating on the tests only).
 */
export default function setup(): void {
  const output = `${root}playground/.output/server/index.mjs`
  if (process.env.E2E_REUSE_BUILD === '1' && existsSync(output)) return
  const started = Date.now()
  const run = spawnSync('npx', ['nuxi', 'build', 'playground'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    env: { ...process.env, NUXT_TELEMETRY_DISABLED: '1' },
  })
  if (run.status !== 0) {
    throw new Error(`nuxi build playground failed (${run.status}):\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-4000)}`)
  }
  process.stdout.write(`[e2e] nuxi build playground: ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
}
