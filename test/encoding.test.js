// The WriteBatch encoder and the int64 / prefix helpers, checked against an
// independent decoder of the byte format. Needs no native addon.

import { describe, it, expect } from 'vitest'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const encoding = require('../lib/encoding.cjs')
const { decodeBatch } = require('./helpers/batch-decoder.cjs')

const LIMITS = { maxKeySize: 65536, maxValueSize: 268435456 }
const label = (i, field) => (field === null ? `records[${i}]` : `records[${i}].${field}`)
const encode = (records, json = false) => encoding.encodeBatch(records, json, label, LIMITS)
const INT64_MAX = 2n ** 63n - 1n
const INT64_MIN = -(2n ** 63n)

describe('WriteBatch encoder', () => {
  it('writes the header: sequence 0 and the entry count', () => {
    const buf = encode([{ key: 'a', ts: 1, value: 'x' }, { key: 'b', ts: 2, value: 'y' }])
    expect(buf.readBigUInt64LE(0)).toBe(0n)
    expect(buf.readUInt32LE(8)).toBe(2)
  })

  it('encodes puts, expiring puts and deletes in order', () => {
    const buf = encode([
      { key: 'k1', ts: 10, value: 'v1' },
      { key: Buffer.from([0, 255, 0]), ts: -3n, value: Buffer.from([1, 2, 3]), expireAt: 1234567 },
      { type: 'del', key: 'gone', ts: 7 }
    ])
    const { entries } = decodeBatch(buf)
    expect(entries).toEqual([
      { type: 1, key: Buffer.from('k1'), ts: 10n, value: Buffer.from('v1') },
      { type: 2, key: Buffer.from([0, 255, 0]), ts: -3n, expireAt: 1234567n, value: Buffer.from([1, 2, 3]) },
      { type: 0, key: Buffer.from('gone'), ts: 7n }
    ])
  })

  it('round-trips every int64 edge as two\'s complement', () => {
    const values = [0, 1, -1, 2 ** 32, -(2 ** 32), 2 ** 32 - 1, -(2 ** 31), 2 ** 31,
      Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, INT64_MAX, INT64_MIN, 2n ** 53n, -(2n ** 53n)]
    const { entries } = decodeBatch(encode(values.map((ts) => ({ key: 'k', ts, value: '' }))))
    expect(entries.map((e) => e.ts)).toEqual(values.map((v) => BigInt(v)))
  })

  it('encodes UTF-8 keys and values, including astral and lone surrogates', () => {
    const strings = ['', 'plain', 'héllo', '日本語', '🚀 rocket', 'lone \ud800 surrogate']
    const { entries } = decodeBatch(encode(strings.map((s, i) => ({ key: s, ts: i, value: s }))))
    for (const [i, s] of strings.entries()) {
      expect(entries[i].key).toEqual(Buffer.from(s, 'utf8'))
      expect(entries[i].value).toEqual(Buffer.from(s, 'utf8'))
    }
  })

  it('writes varint lengths across their byte-count boundaries', () => {
    const sizes = [0, 1, 127, 128, 16383, 16384, 65536]
    const records = sizes.map((n, i) => ({ key: Buffer.alloc(Math.min(n, 65536), 0x61), ts: i, value: 'v'.repeat(n) }))
    const { entries } = decodeBatch(encode(records))
    expect(entries.map((e) => e.key.length)).toEqual(sizes)
    expect(entries.map((e) => e.value.length)).toEqual(sizes)
    expect(encoding.encodeBatch([{ key: 'k', ts: 0, value: Buffer.alloc(2 ** 21) }], false, label, LIMITS).length)
      .toBe(12 + 1 + 1 + 1 + 8 + 4 + 2 ** 21)
  })

  it('grows the buffer mid-batch, past the reused scratch buffer, keeping earlier entries', () => {
    const big = Buffer.alloc(2 ** 21, 0x62)
    const records = [
      { key: 'a', ts: 1, value: 'first' },
      { key: 'b', ts: 2, value: Buffer.alloc(40000, 0x61) }, // past the first estimate
      { key: 'c', ts: 3, value: big }, // past the scratch buffer's limit
      { type: 'del', key: 'd', ts: 4 }
    ]
    const buf = encode(records)
    const again = Buffer.from(buf)
    encode([{ key: 'z', ts: 9, value: 'overwrites the scratch buffer' }])
    expect(buf.equals(again)).toBe(true) // a result of its own, not the scratch buffer
    const { entries } = decodeBatch(buf)
    expect(entries.map((e) => e.key.toString())).toEqual(['a', 'b', 'c', 'd'])
    expect(entries[0].value).toEqual(Buffer.from('first'))
    expect(entries[1].value).toEqual(records[1].value)
    expect(entries[2].value.equals(big)).toBe(true)
    expect(entries[3].type).toBe(0)
  })

  it('accepts any Uint8Array view (offset into a larger buffer)', () => {
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9])
    const view = backing.subarray(2, 5)
    const { entries } = decodeBatch(encode([{ key: view, ts: 0, value: view }]))
    expect(entries[0].key).toEqual(Buffer.from([1, 2, 3]))
    expect(entries[0].value).toEqual(Buffer.from([1, 2, 3]))
  })

  it('turns ttl (ms) into an absolute expireAt in µs', () => {
    const before = Date.now() * 1000
    const { entries } = decodeBatch(encode([{ key: 'k', ts: 0, value: 'v', ttl: 1500 }]))
    const after = Date.now() * 1000
    expect(entries[0].type).toBe(2)
    expect(Number(entries[0].expireAt)).toBeGreaterThanOrEqual(before + 1_500_000)
    expect(Number(entries[0].expireAt)).toBeLessThanOrEqual(after + 1_500_000)
  })

  it('writes expireAt: Infinity as "never" (INT64_MAX) to override defaultTtl', () => {
    const { entries } = decodeBatch(encode([{ key: 'k', ts: 0, value: 'v', expireAt: Infinity }]))
    expect(entries[0]).toMatchObject({ type: 2, expireAt: INT64_MAX })
  })

  it('stores JSON text when json is set', () => {
    const { entries } = decodeBatch(encode([{ key: 'k', ts: 0, value: { a: [1, 'x'] } }, { key: 'k', ts: 1, value: 'str' }], true))
    expect(entries[0].value.toString()).toBe('{"a":[1,"x"]}')
    expect(entries[1].value.toString()).toBe('"str"')
  })

  it('names the offending record and field in errors', () => {
    const ok = { key: 'k', ts: 1, value: 'v' }
    expect(() => encode([ok, null])).toThrow(new TypeError('records[1] must be an object, got null'))
    expect(() => encode([ok, { ...ok, key: 5 }])).toThrow(/^records\[1\]\.key must be a string or a Uint8Array, got a number \(5\)$/)
    expect(() => encode([{ ...ok, ts: 1.5 }])).toThrow(TypeError)
    expect(() => encode([{ ...ok, ts: 1.5 }])).toThrow(/records\[0\]\.ts/)
    expect(() => encode([{ ...ok, ts: 2 ** 60 }])).toThrow(RangeError)
    expect(() => encode([{ ...ok, ts: 2n ** 63n }])).toThrow(RangeError)
    expect(() => encode([{ ...ok, value: 42 }])).toThrow(/records\[0\]\.value must be a string or a Uint8Array/)
    expect(() => encode([{ ...ok, value: undefined }], true)).toThrow(/records\[0\]\.value cannot be encoded as JSON/)
    expect(() => encode([{ ...ok, value: 1n }], true)).toThrow(TypeError)
    expect(() => encode([{ ...ok, type: 'upsert' }])).toThrow(RangeError)
    expect(() => encode([{ ...ok, ttl: 0 }])).toThrow(RangeError)
    expect(() => encode([{ ...ok, ttl: '5' }])).toThrow(TypeError)
    expect(() => encode([{ ...ok, ttl: 5, expireAt: 5 }])).toThrow(/cannot both be given/)
    expect(() => encode([{ ...ok, key: Buffer.alloc(65537) }])).toThrow(RangeError)
    expect(() => encode([{ ...ok, key: 'é'.repeat(32769) }])).toThrow(/at most 65536 bytes, got 65538 bytes/)
  })

  it('rejects values over the size limit', () => {
    const small = { maxKeySize: 16, maxValueSize: 8 }
    expect(() => encoding.encodeBatch([{ key: 'k', ts: 0, value: '123456789' }], false, label, small))
      .toThrow(new RangeError('records[0].value must be at most 8 bytes, got 9 bytes'))
    expect(encoding.encodeBatch([{ key: 'k', ts: 0, value: '12345678' }], false, label, small).length).toBeGreaterThan(0)
  })
})

describe('int64 and prefix helpers', () => {
  it('reads numbers while safe, bigints beyond', () => {
    const buf = Buffer.alloc(8)
    for (const v of [0n, -1n, 2n ** 53n - 1n, -(2n ** 53n) + 1n, 2n ** 53n, -(2n ** 53n), INT64_MAX, INT64_MIN]) {
      buf.writeBigInt64LE(v)
      const safe = v <= 2n ** 53n - 1n && v >= -(2n ** 53n) + 1n
      expect(encoding.readInt64(buf, 0, false)).toBe(safe ? Number(v) : v)
      expect(encoding.readInt64(buf, 0, true)).toBe(v)
    }
  })

  it('maps INT64_MAX expireAt to null', () => {
    const buf = Buffer.alloc(8)
    buf.writeBigInt64LE(INT64_MAX)
    expect(encoding.readExpireAt(buf, 0, false)).toBe(null)
    buf.writeBigInt64LE(INT64_MAX - 1n)
    expect(encoding.readExpireAt(buf, 0, true)).toBe(INT64_MAX - 1n)
  })

  it('computes the first key after a prefix', () => {
    expect(encoding.prefixUpperBound(Buffer.from('abc'))).toEqual(Buffer.from('abd'))
    expect(encoding.prefixUpperBound(Buffer.from([0x61, 0xff, 0xff]))).toEqual(Buffer.from([0x62]))
    expect(encoding.prefixUpperBound(Buffer.from([0xff, 0xff]))).toBe(null)
    expect(encoding.prefixUpperBound(Buffer.alloc(0))).toBe(null)
    const prefix = Buffer.from([1, 0xfe])
    encoding.prefixUpperBound(prefix)
    expect(prefix).toEqual(Buffer.from([1, 0xfe])) // the caller's bytes are not modified
  })
})
