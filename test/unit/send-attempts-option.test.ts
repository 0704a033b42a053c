/** `maxSendAttempts` resolution: a documented default, `Infinity` to never give up, nonsense falls back. */
import { describe, expect, it } from 'vitest'
import { resolveOptions } from '../../src/core/options'

describe('maxSendAttempts option', () => {
  it('defaults to 3', () => {
    expect(resolveOptions({}).maxSendAttempts).toBe(3)
  })

  it('keeps a positive count, including Infinity (never give up)', () => {
    expect(resolveOptions({ maxSendAttempts: 1 }).maxSendAttempts).toBe(1)
    expect(resolveOptions({ maxSendAttempts: Number.POSITIVE_INFINITY }).maxSendAttempts).toBe(Number.POSITIVE_INFINITY)
  })

  it('falls back to 3 for 0, negative and NaN', () => {
    for (const bad of [0, -2, Number.NaN]) expect(resolveOptions({ maxSendAttempts: bad }).maxSendAttempts).toBe(3)
  })
})
