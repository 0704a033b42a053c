import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ChatError } from '../../src/core/errors'
import { decodeFrame, encodeExtension, encodeMessage, normaliseTimestamp, normaliseUserId, parseTimestamp } from '../../src/core/transport/protocol'
import type { DecodeResult, InboundFrame } from '../../src/core/transport/protocol'

function ok(result: DecodeResult): InboundFrame {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.message}`)
  return result.frame
}

function bad(result: DecodeResult): ChatError {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.frame)}`)
  return result.error
}

const history = (over: Record<string, unknown> = {}) => JSON.stringify({
  sender_id: 1,
  reciever_id: 2,
  content: 'hello',
  timestamp: '2026-11-24T11:31:14.892717+00:00',
  is_read: false,
  ...over,
})

describe('decodeFrame: history frames', () => {
  it('reads the misspelt reciever_id, microseconds and +00:00', () => {
    expect(ok(decodeFrame(history()))).toEqual({
      kind: 'history',
      senderId: '1',
      receiverId: '2',
      content: 'hello',
      timestamp: '2026-11-24T11:31:14.892Z',
      time: Date.UTC(2026, 10, 24, 11, 31, 14, 892),
      isRead: false,
    })
  })

  it('accepts receiver_id when the server spells it right', () => {
    const frame = ok(decodeFrame(JSON.stringify({ sender_id: 2, receiver_id: 1, content: 'x', timestamp: '2026-01-01T00:00:00Z', is_read: true })))
    expect(frame).toMatchObject({ kind: 'history', senderId: '2', receiverId: '1', isRead: true })
  })

  it.each([
    ['2026-11-24T11:31:14Z', '2026-11-24T11:31:14.000Z'],
    ['2026-11-24T11:31:14.892Z', '2026-11-24T11:31:14.892Z'],
    ['2026-11-24T11:31:14.8Z', '2026-11-24T11:31:14.800Z'],
    ['2026-11-24T11:31:14.89+00:00', '2026-11-24T11:31:14.890Z'],
    ['2026-11-24T11:31:14+00:00', '2026-11-24T11:31:14.000Z'],
    ['2026-11-24T11:31:14.000001+00:00', '2026-11-24T11:31:14.000Z'],
    ['2026-11-24T13:31:14.5+02:00', '2026-11-24T11:31:14.500Z'],
    ['2024-02-29T23:59:59.999999Z', '2024-02-29T23:59:59.999Z'],
    ['2026-11-24 11:31:14.892717+00:00', '2026-11-24T11:31:14.892Z'],
    ['2026-11-24T11:31:14.892-00:00', '2026-11-24T11:31:14.892Z'],
  ])('timestamp %s → %s', (raw, iso) => {
    const frame = ok(decodeFrame(history({ timestamp: raw })))
    expect(frame).toMatchObject({ timestamp: iso, time: Date.parse(iso) })
  })

  it('each history frame is its own object: decoding the next frame changes none of an earlier one', () => {
    const first = ok(decodeFrame(history({ content: 'first', sender_id: 1, reciever_id: 2 })))
    const copy = { ...first }
    const second = ok(decodeFrame(history({ content: 'second', sender_id: 2, reciever_id: 1, timestamp: '2027-01-01T00:00:00Z' })))
    expect(second).not.toBe(first)
    expect(first).toEqual(copy)
    expect(first).toMatchObject({ content: 'first', senderId: '1' })
  })

  it('missing is_read means unread; ids given as strings are normalised', () => {
    const frame = ok(decodeFrame(JSON.stringify({ sender_id: '7', reciever_id: ' 8 ', content: '', timestamp: '2026-01-01T00:00:00Z' })))
    expect(frame).toMatchObject({ senderId: '7', receiverId: '8', content: '', isRead: false })
  })

  it.each([
    ['content not a string', { content: 5 }],
    ['content null', { content: null }],
    ['no sender', { sender_id: undefined }],
    ['sender not numeric', { sender_id: 'abc' }],
    ['negative sender', { sender_id: -1 }],
    ['fractional sender', { sender_id: 1.5 }],
    ['no receiver', { reciever_id: undefined }],
    ['no timestamp', { timestamp: undefined }],
    ['timestamp a number', { timestamp: 12 }],
    ['garbage timestamp', { timestamp: 'yesterday' }],
    ['impossible date', { timestamp: '2026-02-30T00:00:00Z' }],
  ])('rejects %s', (_name, over) => {
    const error = bad(decodeFrame(history(over)))
    expect(error).toBeInstanceOf(ChatError)
    expect(error.code).toBe('malformed_frame')
    expect(error.message).toMatch(/^Dropped a malformed frame: /)
  })
})

describe('decodeFrame: live frames', () => {
  it('decodes {message, sender_id}', () => {
    expect(ok(decodeFrame('{"message":"hi","sender_id":2}'))).toEqual({ kind: 'live', senderId: '2', content: 'hi' })
  })
  it('turns a number message into its text and keeps an empty message', () => {
    expect(ok(decodeFrame('{"message":42,"sender_id":"2"}'))).toEqual({ kind: 'live', senderId: '2', content: '42' })
    expect(ok(decodeFrame('{"message":"","sender_id":1}'))).toEqual({ kind: 'live', senderId: '1', content: '' })
  })
  it.each([
    ['message null', '{"message":null,"sender_id":1}'],
    ['message object', '{"message":{},"sender_id":1}'],
    ['message bool', '{"message":true,"sender_id":1}'],
    ['no sender', '{"message":"x"}'],
    ['sender null', '{"message":"x","sender_id":null}'],
  ])('rejects %s', (_name, raw) => {
    expect(bad(decodeFrame(raw)).code).toBe('malformed_frame')
  })
})

describe('decodeFrame: everything else', () => {
  it.each([
    ['null', 'null'],
    ['array', '[1,2]'],
    ['number', '5'],
    ['string', '"x"'],
    ['bad JSON', '{"message":'],
    ['empty', ''],
    ['unknown object', '{"foo":1}'],
    ['typing without extensions', '{"type":"typing","sender_id":2}'],
  ])('%s is a typed error, not a throw', (_name, raw) => {
    const error = bad(decodeFrame(raw))
    expect(error.code).toBe('malformed_frame')
    expect(error.details?.preview).toBe(raw.slice(0, 120))
  })

  it('binary payloads are errors', () => {
    for (const data of [new ArrayBuffer(4), new Uint8Array([1, 2]), Buffer.from('{"message":"x","sender_id":1}'), undefined, 5]) {
      expect(bad(decodeFrame(data)).code).toBe('malformed_frame')
    }
  })

  it('keeps only a 120-character preview', () => {
    const raw = `{"x":"${'a'.repeat(500)}"}`
    expect(bad(decodeFrame(raw)).details?.preview).toHaveLength(120)
  })

  it('an error\'s preview does not keep its frame alive (five 20 MB frames held 100 MB)', () => {
    // A child with --expose-gc measures the heap the kept errors retain; a slice would hold each frame.
    const probe = fileURLToPath(new URL('../support/retained-previews.ts', import.meta.url))
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', probe], { encoding: 'utf8' })
    const { retained, errors } = JSON.parse(out) as { retained: number; errors: number }
    expect(errors).toBe(5)
    expect(retained).toBeLessThan(1024 * 1024)
  }, 30_000)

  it('drops a frame longer than maxFrameLength unparsed, as a malformed_frame with its size', () => {
    const raw = JSON.stringify({ message: 'x'.repeat(100), sender_id: 2 })
    const error = bad(decodeFrame(raw, { maxFrameLength: 50 }))
    expect(error.code).toBe('malformed_frame')
    expect(error.message).toBe('Dropped a malformed frame: frame too large')
    expect(error.details).toEqual({ preview: raw.slice(0, 120), length: raw.length, maxFrameLength: 50 })
    expect(ok(decodeFrame(raw, { maxFrameLength: raw.length }))).toMatchObject({ kind: 'live' })
    // 1 MiB by default
    const big = JSON.stringify({ message: 'y'.repeat(1_048_576), sender_id: 2 })
    expect(bad(decodeFrame(big)).details).toMatchObject({ length: big.length, maxFrameLength: 1_048_576 })
    const fits = JSON.stringify({ message: 'y'.repeat(1_048_576 - 40), sender_id: 2 })
    expect(ok(decodeFrame(fits))).toMatchObject({ kind: 'live' })
  })

  it('decodes extension frames only when asked', () => {
    expect(ok(decodeFrame('{"type":"typing","sender_id":2}', { extensions: true }))).toEqual({ kind: 'typing', senderId: '2' })
    expect(ok(decodeFrame('{"type":"read","sender_id":"2"}', { extensions: true }))).toEqual({ kind: 'read', senderId: '2' })
    expect(bad(decodeFrame('{"type":"read","sender_id":2}')).code).toBe('malformed_frame')
    expect(bad(decodeFrame('{"type":"shout","sender_id":2}', { extensions: true })).code).toBe('malformed_frame')
  })
})

describe('encode', () => {
  it('encodes messages and extension frames', () => {
    expect(encodeMessage('a "quoted" text')).toBe('{"message":"a \\"quoted\\" text"}')
    expect(JSON.parse(encodeMessage(''))).toEqual({ message: '' })
    expect(encodeExtension('typing')).toBe('{"type":"typing"}')
    expect(encodeExtension('read')).toBe('{"type":"read"}')
  })
})

describe('normaliseUserId', () => {
  it.each([
    [1, '1'], ['1', '1'], [' 1 ', '1'], [0, '0'], ['007', '7'], ['0', '0'], [123456789, '123456789'],
    ['12345678901234567890', '12345678901234567890'],
  ])('%j → %j', (input, output) => {
    expect(normaliseUserId(input)).toBe(output)
  })
  it.each([[-1], [1.5], ['1.0'], ['-1'], [''], ['  '], ['1a'], [null], [undefined], [Number.NaN], [{}], [true], [2 ** 60]])('%j → null', (input) => {
    expect(normaliseUserId(input)).toBeNull()
  })
})

describe('parseTimestamp', () => {
  it('agrees with Date.parse on ms-precision strings and truncates microseconds', () => {
    for (const iso of ['1970-01-01T00:00:00.000Z', '1999-12-31T23:59:59.999Z', '2000-02-29T12:00:00.001Z', '2100-03-01T00:00:00.000Z', '1969-07-20T20:17:40.000Z']) {
      expect(parseTimestamp(iso)).toBe(Date.parse(iso))
      expect(parseTimestamp(iso.replace('Z', '999+00:00'))).toBe(Date.parse(iso))
    }
  })
  it('matches Date for every day of a leap cycle', () => {
    for (let t = Date.UTC(2023, 0, 1); t < Date.UTC(2025, 0, 1); t += 86_400_000 + 3_723_456) {
      const iso = new Date(t).toISOString()
      expect(parseTimestamp(iso)).toBe(t)
      expect(normaliseTimestamp(iso.replace('Z', '123+00:00'))).toBe(iso)
    }
  })
  it('falls back to Date.parse for other ISO shapes and rejects garbage', () => {
    expect(parseTimestamp('2026-11-24')).toBe(Date.UTC(2026, 10, 24))
    expect(parseTimestamp('not a date')).toBeNull()
    expect(parseTimestamp('2026-13-01T00:00:00Z')).toBeNull()
    expect(parseTimestamp('2026-11-24T25:00:00Z')).toBeNull()
    expect(parseTimestamp('2026-02-30T00:00:00.000000+00:00')).toBeNull()
  })
})
