import { describe, expect, it } from 'vitest'
import { backoffCeiling, computeBackoff, DEFAULT_BASE_DELAY_MS, DEFAULT_MAX_DELAY_MS } from '../../src/core/transport/backoff'

describe('computeBackoff', () => {
  it('documents its defaults', () => {
    expect(DEFAULT_BASE_DELAY_MS).toBe(500)
    expect(DEFAULT_MAX_DELAY_MS).toBe(30_000)
  })

  it('doubles the ceiling per attempt and caps it', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 100, 5000].map(a => backoffCeiling(a))).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000])
    expect(backoffCeiling(3, { baseDelayMs: 100, maxDelayMs: 350 })).toBe(350)
    expect(backoffCeiling(-2)).toBe(500)
    expect(backoffCeiling(Number.NaN)).toBe(500)
  })

  it('is random() × ceiling (full jitter), bounded in [0, ceiling]', () => {
    expect(computeBackoff(2, {}, () => 0)).toBe(0)
    expect(computeBackoff(2, {}, () => 0.5)).toBe(1000)
    expect(computeBackoff(2, {}, () => 0.999)).toBeCloseTo(1998)
    expect(computeBackoff(20, {}, () => 0.25)).toBe(7500)
    expect(computeBackoff(1, {}, () => 7)).toBe(1000)
    expect(computeBackoff(1, {}, () => -1)).toBe(0)
  })

  it('spreads delays uniformly over the whole range', () => {
    // Deterministic LCG so the test cannot flake.
    let seed = 42
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31)
    const buckets = Array.from({ length: 10 }, () => 0)
    const samples = 20_000
    for (let i = 0; i < samples; i++) {
      const d = computeBackoff(3, { baseDelayMs: 100 }, random)
      expect(d).toBeGreaterThanOrEqual(0)
      expect(d).toBeLessThan(800)
      buckets[Math.floor(d / 80)]!++
    }
    for (const count of buckets) expect(Math.abs(count - samples / 10)).toBeLessThan(samples / 10 * 0.1)
  })
})
