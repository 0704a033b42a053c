/**
 * CPU profile of our ingest path (100k history frames: decode + Timeline + store), to explain the
 * ratio to the floor. Uses V8's sampling profiler, the same one as `node --cpu-prof`:
 *
 *   node --cpu-prof --cpu-prof-dir bench/.tmp --import tsx bench/profile.ts [ingest|replay]
 *   node --import tsx bench/profile.ts --summarise bench/.tmp/<file>.cpuprofile
 *
 * The summary lists self time per function (file:line), and totals per phase.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createPinia, setActivePinia } from 'pinia'
import { useChatStore } from '../src/vue/store'
import { conversation, historyFrame, PEER_ID } from './lib/frames'
import { feedReplay, loadCore, newTimeline, snapshotOf } from './lib/ours'
import { table } from './lib/stats'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

/** Self time per function, largest first. */
export function summarise(profile: CpuProfile, top = 25): string {
  const byId = new Map(profile.nodes.map(n => [n.id, n]))
  const self = new Map<string, number>()
  let total = 0
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)
    const dt = (profile.timeDeltas[i] ?? 0) / 1000
    if (!node) return
    const f = node.callFrame
    const where = f.url ? `${f.url.replace(/^.*\/(src|bench|node_modules)\//, '$1/')}:${f.lineNumber + 1}` : ''
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim()
    self.set(key, (self.get(key) ?? 0) + dt)
    if (f.functionName !== '(idle)' && f.functionName !== '(program)') total += dt
  })
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
  return table(['function', 'self ms', '%'], rows.map(([k, ms]) => [k, ms.toFixed(1), `${((ms / total) * 100).toFixed(1)}%`]))
}

const args = process.argv.slice(2)
if (args[0] === '--summarise') {
  let file = args[1]
  if (!file) {
    const dir = fileURLToPath(new URL('./.tmp', import.meta.url))
    file = readdirSync(dir).filter(f => f.endsWith('.cpuprofile')).map(f => join(dir, f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]
  }
  if (!file) throw new Error('no .cpuprofile found in bench/.tmp')
  process.stdout.write(`${summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile)}\n`)
}
else {
  const core = loadCore()
  if (typeof core === 'string') throw new Error(core)
  setActivePinia(createPinia())
  const store = useChatStore()
  const n = 100_000
  const frames = conversation(n).map(historyFrame)
  for (let r = 0; r < 8; r++) {
    const tl = newTimeline(core)
    tl.beginReplay()
    feedReplay(core, tl, frames)
    tl.endReplay()
    if (args[0] === 'replay') {
      tl.beginReplay()
      feedReplay(core, tl, frames)
      tl.endReplay()
    }
    store.applySnapshot(String(PEER_ID), snapshotOf(tl))
  }
}
