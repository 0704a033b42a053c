#!/usr/bin/env node
// Runs every check of the project in order and ends with one line `N passed, N failed`.
// Each vitest suite counts its tests; every other step (lint, types, build, package checks, size budget) counts as one.
// Usage: npm test                 all steps
//        npm test -- unit vue     only the named steps
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const outDir = join(root, 'test-results')
mkdirSync(outDir, { recursive: true })

const vitest = (name, args) => ({ name, kind: 'vitest', args })
const check = (name, cmd, args, env = {}) => ({ name, kind: 'check', cmd, args, env })

const steps = [
  check('lint', 'npx', ['eslint', '.']),
  check('typecheck', 'npx', ['vue-tsc', '--noEmit', '-p', 'tsconfig.json']),
  check('typecheck-nuxt', 'npx', ['nuxi', 'typecheck', 'playground']),
  check('types-consumer', 'npx', ['vue-tsc', '--noEmit', '-p', 'test/types/tsconfig.json']),
  check('docs-examples', 'node', ['docs/tools/check-examples.mjs']),
  vitest('docs-samples', ['--config', 'docs/examples/vitest.config.ts']),
  vitest('unit', ['--project', 'unit']),
  vitest('integration', ['--project', 'integration']),
  vitest('vue', ['--project', 'vue']),
  vitest('dom', ['--project', 'dom']),
  check('build', 'npx', ['unbuild']),
  check('package-exports', 'node', ['scripts/check-package.mjs']),
  check('publint', 'npx', ['publint', '--strict']),
  check('attw', 'npx', ['attw', '--pack', '.', '--profile', 'esm-only']),
  check('api-report', 'node', ['scripts/api-report.mjs']),
  // Packs and installs into a scratch project (npm registry or cache): the optional peers stay optional.
  check('packed-install', 'node', ['scripts/measure-install.mjs', '--check']),
  check('size-budget', 'node', ['--import', 'tsx', 'bench/size.ts', '--check']),
  check('docs-build', 'npm', ['run', 'docs:build']),
  check('docs-links', 'node', ['docs/tools/check-links.mjs']),
  vitest('nuxt', ['--config', 'test/nuxt/vitest.config.ts']),
  vitest('e2e', ['--config', 'test/e2e/vitest.config.ts']),
]

const only = process.argv.slice(2)
const selected = only.length ? steps.filter(s => only.includes(s.name)) : steps
if (only.length && selected.length !== only.length) {
  console.error(`Unknown step in: ${only.join(' ')}. Steps: ${steps.map(s => s.name).join(' ')}`)
  process.exit(2)
}

function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return
  if (process.getuid?.() !== 0) {
    console.error('Chromium is missing: run `sudo apt-get install -y chromium` (browser e2e tests need Debian\'s Chromium).')
    return
  }
  console.log('Installing Debian Chromium for the browser tests...')
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' })
  spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
}

if (selected.some(s => s.name === 'e2e')) ensureChromium()

const results = []
for (const step of selected) {
  const started = Date.now()
  console.log(`\n━━ ${step.name} ━━`)
  let passed = 0
  let failed = 0
  if (step.kind === 'vitest') {
    const report = join(outDir, `vitest-${step.name}.json`)
    rmSync(report, { force: true })
    const run = spawnSync('npx', ['vitest', 'run', ...step.args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], { cwd: root, stdio: 'inherit' })
    if (existsSync(report)) {
      const json = JSON.parse(readFileSync(report, 'utf8'))
      passed = json.numPassedTests
      // Skipped or todo tests are not allowed: they count as failures.
      failed = json.numFailedTests + json.numPendingTests + json.numTodoTests
      if (json.numTotalTests === 0) failed += 1
      // A suite that failed to load has no tests but still fails the run.
      if (run.status !== 0 && failed === 0) failed = 1
    }
    else {
      failed = 1
    }
  }
  else {
    const run = spawnSync(step.cmd, step.args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...step.env } })
    if (run.status === 0) passed = 1
    else failed = 1
  }
  results.push({ name: step.name, passed, failed, seconds: Math.round((Date.now() - started) / 100) / 10 })
}

console.log('\n━━ summary ━━')
for (const r of results) console.log(`${r.failed ? '✗' : '✓'} ${r.name.padEnd(16)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed  ${r.seconds}s`)
const passed = results.reduce((n, r) => n + r.passed, 0)
const failed = results.reduce((n, r) => n + r.failed, 0)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
