/**
 * Child-process probe (run with `node --expose-gc --import tsx`): decodes five 20 MB malformed
 * frames, keeps only the errors, and prints how many bytes of heap the errors still hold.
 */
import { decodeFrame } from '../../src/core/transport/protocol'

const exposed = (globalThis as { gc?: () => void }).gc
if (!exposed) throw new Error('run with --expose-gc')
const gc: () => void = exposed
const frameLength = 20 * 1024 * 1024

function measure(): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

function decodeOne(i: number): unknown {
  // Built at run time (not a constant), unique per frame, invalid JSON.
  const frame = `{"message":"${String(i).repeat(frameLength)}`
  const result = decodeFrame(frame, { maxFrameLength: Number.POSITIVE_INFINITY })
  if (result.ok) throw new Error('expected a malformed frame')
  return result.error
}

const before = measure()
const errors: unknown[] = []
for (let i = 0; i < 5; i++) errors.push(decodeOne(i))
const retained = measure() - before
process.stdout.write(JSON.stringify({ retained, errors: errors.length }))
