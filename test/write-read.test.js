// Writes and point reads: put/get/getSync/getLatest/getLatestSync, del,
// deleteBatch, writeBatch atomicity, key and timestamp edge cases, and
// argument validation (a TypeError/RangeError, never a crash).

import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { Engine, FlowDBError } from '../lib/index.mjs'
import { tempPath } from './helpers/tmp.js'

const MAX_KEY = 65536
let engine

beforeAll(async () => { engine = await Engine.open({ path: tempPath() }) })
afterAll(async () => { await engine.close() })

describe('put and get', () => {
  it('returns what was written, as a Buffer by default', async () => {
    await engine.put('alpha', 1, 'one')
    expect(await engine.get('alpha', 1)).toEqual(Buffer.from('one'))
    expect(engine.getSync('alpha', 1)).toEqual(Buffer.from('one'))
    expect(await engine.get('alpha', 1, { valueEncoding: 'utf8' })).toBe('one')
    expect(engine.getSync('alpha', 1, { valueEncoding: 'utf8' })).toBe('one')
  })

  it('returns undefined for a missing key or a missing ts', async () => {
    expect(await engine.get('no-such-key', 1)).toBeUndefined()
    expect(await engine.get('alpha', 2)).toBeUndefined()
    expect(engine.getSync('alpha', 0)).toBeUndefined()
    expect(await engine.getLatest('no-such-key')).toBeUndefined()
    expect(engine.getLatestSync('no-such-key')).toBeUndefined()
  })

  it('treats a string key and its UTF-8 bytes as the same key', async () => {
    await engine.put('snowman ☃', 5, Buffer.from([1, 2, 3]))
    expect(await engine.get(Buffer.from('snowman ☃'), 5)).toEqual(Buffer.from([1, 2, 3]))
    expect(await engine.get(new Uint8Array(Buffer.from('snowman ☃')), 5)).toEqual(Buffer.from([1, 2, 3]))
    await engine.put(Buffer.from('bytes-key'), 1, 'v')
    expect(await engine.get('bytes-key', 1, { valueEncoding: 'utf8' })).toBe('v')
  })

  it('reads string keys whose multi-byte characters straddle the native first-try buffer', async () => {
    // The addon converts a string key into a 128-byte buffer first and only
    // measures it when that may have cut it short; keys from 100 to 160
    // bytes with 2-, 3- and 4-byte characters (and a lone surrogate) at
    // every offset around that edge must all read back, in any order.
    const keys = []
    for (const ch of ['é', '☃', '🚀', '\ud800']) {
      for (let pad = 100; pad <= 132; pad++) keys.push('k'.repeat(pad) + ch + ch + 'z')
    }
    keys.push('short')
    await engine.writeBatch(keys.map((k, i) => ({ key: Buffer.from(k), ts: 1, value: String(i) })))
    const order = [...keys.keys()].reverse().concat([...keys.keys()])
    for (const i of order) {
      expect(engine.getSync(keys[i], 1, { valueEncoding: 'utf8' })).toBe(String(i))
      expect(engine.getLatestSync(keys[i], { valueEncoding: 'utf8' })?.value).toBe(String(i))
      expect(await engine.get(keys[i], 1, { valueEncoding: 'utf8' })).toBe(String(i))
    }
  })

  it('stores binary keys with 0x00 and 0xff bytes exactly', async () => {
    const keys = [Buffer.from([0]), Buffer.from([0, 0]), Buffer.from([0xff]), Buffer.from([0xff, 0xff, 0]), Buffer.from([0x61, 0, 0x62])]
    for (const [i, key] of keys.entries()) await engine.put(key, 1, `v${i}`)
    for (const [i, key] of keys.entries()) {
      expect(await engine.get(key, 1, { valueEncoding: 'utf8' })).toBe(`v${i}`)
    }
    const latest = await engine.getLatest(Buffer.from([0xff, 0xff, 0]), { keyEncoding: 'buffer' })
    expect(latest.key).toEqual(Buffer.from([0xff, 0xff, 0]))
  })

  it('stores an empty value and tells it apart from a missing one', async () => {
    await engine.put('empty', 1, '')
    await engine.put('empty', 2, new Uint8Array(0))
    expect(await engine.get('empty', 1)).toEqual(Buffer.alloc(0))
    expect(engine.getSync('empty', 2, { valueEncoding: 'utf8' })).toBe('')
  })

  it('accepts keys up to 64 KiB and rejects larger ones with a RangeError', async () => {
    const big = Buffer.alloc(MAX_KEY, 0x6b)
    await engine.put(big, 1, 'max')
    expect(await engine.get(big, 1, { valueEncoding: 'utf8' })).toBe('max')
    const tooBig = Buffer.alloc(MAX_KEY + 1, 0x6b)
    await expect(engine.put(tooBig, 1, 'x')).rejects.toThrow(RangeError)
    await expect(engine.put('k'.repeat(MAX_KEY + 1), 1, 'x')).rejects.toThrow(/key must be at most 65536 bytes/)
    await expect(engine.get(tooBig, 1)).rejects.toThrow(RangeError)
    expect(() => engine.getSync(tooBig, 1)).toThrow(RangeError)
  })

  it('stores a 1 MiB value', async () => {
    const value = Buffer.alloc(1 << 20, 7)
    await engine.put('big-value', 1, value)
    expect((await engine.get('big-value', 1)).equals(value)).toBe(true)
    expect(engine.getSync('big-value', 1).equals(value)).toBe(true)
    expect((await engine.getLatest('big-value')).value.equals(value)).toBe(true)
    expect(engine.getLatestSync('big-value').value.equals(value)).toBe(true)
  })

  it('returns values around the size of the read buffer intact, as copies', async () => {
    // Sync reads copy values through a 64 KiB buffer; larger ones take
    // another path. Values must not share memory with later reads.
    const sizes = [0, 1, 65536 - 17, 65536 - 16, 65536 - 15, 65535, 65536, 65537]
    for (const n of sizes) await engine.put('edge', n, Buffer.alloc(n, n % 251))
    const seen = []
    for (const n of sizes) {
      const v = engine.getSync('edge', n)
      expect(v.length).toBe(n)
      expect(v.equals(Buffer.alloc(n, n % 251))).toBe(true)
      seen.push(v)
      const latest = engine.getLatestSync('edge')
      expect(latest.ts).toBe(65537)
      expect(latest.value.length).toBe(65537)
    }
    seen.forEach((v, i) => expect(v.equals(Buffer.alloc(sizes[i], sizes[i] % 251))).toBe(true))
    await engine.flush()
    for (const n of sizes) expect((await engine.get('edge', n)).length).toBe(n)
  })

  it('overwrites the same (key, ts)', async () => {
    await engine.put('over', 10, 'first')
    await engine.put('over', 10, 'second')
    expect(await engine.get('over', 10, { valueEncoding: 'utf8' })).toBe('second')
    const all = await engine.scan({ prefix: 'over' }).all()
    expect(all).toHaveLength(1)
  })

  it('keeps many versions of a key, and getLatest returns the largest ts', async () => {
    const records = []
    for (let ts = 0; ts < 500; ts++) records.push({ key: 'versions', ts: ts * 3, value: `v${ts}` })
    records.reverse()
    await engine.writeBatch(records)
    expect(await engine.get('versions', 300, { valueEncoding: 'utf8' })).toBe('v100')
    expect(await engine.get('versions', 301)).toBeUndefined()
    expect(await engine.getLatest('versions', { valueEncoding: 'utf8' })).toEqual({ key: 'versions', ts: 1497, value: 'v499', expireAt: null })
    expect(engine.getLatestSync('versions', { valueEncoding: 'utf8' })).toEqual({ key: 'versions', ts: 1497, value: 'v499', expireAt: null })
  })
})

describe('timestamps', () => {
  it('takes negative, zero and bigint timestamps', async () => {
    for (const ts of [-(2 ** 53) + 1, -1, 0, 1, 2 ** 53 - 1]) await engine.put('ts-num', ts, String(ts))
    for (const ts of [-1, 0, 2 ** 53 - 1]) expect(await engine.get('ts-num', ts, { valueEncoding: 'utf8' })).toBe(String(ts))
    // The same ts as number and as bigint is the same record.
    expect(await engine.get('ts-num', -1n, { valueEncoding: 'utf8' })).toBe('-1')
  })

  it('takes timestamps beyond 2^53 as bigints and returns them as bigints', async () => {
    const big = [2n ** 53n, 2n ** 62n, 2n ** 63n - 1n, -(2n ** 63n), -(2n ** 60n)]
    for (const ts of big) await engine.put('ts-big', ts, String(ts))
    for (const ts of big) expect(engine.getSync('ts-big', ts, { valueEncoding: 'utf8' })).toBe(String(ts))
    const latest = await engine.getLatest('ts-big')
    expect(latest.ts).toBe(2n ** 63n - 1n)
    const all = await engine.scan({ prefix: 'ts-big', valueEncoding: 'utf8' }).all()
    expect(all.map((r) => r.ts)).toEqual([-(2n ** 63n), -(2n ** 60n), 2n ** 53n, 2n ** 62n, 2n ** 63n - 1n])
  })

  it('orders negative before positive timestamps', async () => {
    await engine.writeBatch([{ key: 'order', ts: 5, value: 'b' }, { key: 'order', ts: -5, value: 'a' }, { key: 'order', ts: 2n ** 40n, value: 'c' }])
    const values = (await engine.scan({ prefix: 'order', valueEncoding: 'utf8' }).all()).map((r) => r.value)
    expect(values).toEqual(['a', 'b', 'c'])
    expect((await engine.getLatest('order')).ts).toBe(2 ** 40)
  })

  it('returns bigints everywhere with timestampType: bigint', async () => {
    const db = await Engine.open({ inMemory: true, timestampType: 'bigint' })
    await db.put('k', 7, 'v', { expireAt: 2 ** 52 })
    expect(await db.getLatest('k')).toEqual({ key: 'k', ts: 7n, value: Buffer.from('v'), expireAt: 2n ** 52n })
    const [record] = await db.scan().all()
    expect(record.ts).toBe(7n)
    expect(record.expireAt).toBe(2n ** 52n)
    await db.close()
  })
})

describe('deletes', () => {
  it('del removes one (key, ts) and leaves other versions', async () => {
    await engine.writeBatch([1, 2, 3].map((ts) => ({ key: 'del-me', ts, value: `v${ts}` })))
    await engine.del('del-me', 3)
    expect(await engine.get('del-me', 3)).toBeUndefined()
    expect((await engine.getLatest('del-me')).ts).toBe(2)
    await engine.del('del-me', 99) // deleting a missing record is fine
    await engine.del(Buffer.from('del-me'), 2n)
    expect((await engine.getLatest('del-me', { valueEncoding: 'utf8' })).value).toBe('v1')
  })

  it('deleteBatch removes several records at once', async () => {
    await engine.writeBatch(Array.from({ length: 10 }, (_, i) => ({ key: `db${i}`, ts: i, value: 'x' })))
    await engine.deleteBatch([['db1', 1], [Buffer.from('db2'), 2n], ['db3', 3]])
    await engine.deleteBatch([])
    const left = (await engine.scan({ prefix: 'db' }).all()).map((r) => r.key)
    expect(left).toEqual(['db0', 'db4', 'db5', 'db6', 'db7', 'db8', 'db9'])
  })

  it('a delete and a put in one batch apply in order', async () => {
    await engine.put('mixed', 1, 'old')
    await engine.writeBatch([{ type: 'del', key: 'mixed', ts: 1 }, { key: 'mixed', ts: 2, value: 'new' }])
    expect(await engine.get('mixed', 1)).toBeUndefined()
    await engine.writeBatch([{ key: 'mixed', ts: 3, value: 'x' }, { type: 'del', key: 'mixed', ts: 3 }])
    expect(await engine.get('mixed', 3)).toBeUndefined()
    expect((await engine.getLatest('mixed', { valueEncoding: 'utf8' })).value).toBe('new')
  })
})

describe('writeBatch', () => {
  it('an empty batch resolves', async () => {
    await expect(engine.writeBatch([])).resolves.toBeUndefined()
  })

  it('writes nothing when any record is invalid', async () => {
    const records = [
      { key: 'atomic', ts: 1, value: 'a' },
      { key: 'atomic', ts: 2, value: 'b' },
      { key: 'atomic', ts: 3, value: 42 }
    ]
    await expect(engine.writeBatch(records)).rejects.toThrow(/records\[2\]\.value/)
    expect(await engine.getLatest('atomic')).toBeUndefined()
  })

  it('concurrent batches all land, each whole', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, b) => engine.writeBatch(
      Array.from({ length: 50 }, (_, i) => ({ key: `conc${String(b).padStart(2, '0')}`, ts: i, value: `${b}:${i}` })))))
    for (let b = 0; b < 20; b++) {
      const records = await engine.scan({ prefix: `conc${String(b).padStart(2, '0')}`, valueEncoding: 'utf8' }).all()
      expect(records.map((r) => r.value)).toEqual(Array.from({ length: 50 }, (_, i) => `${b}:${i}`))
    }
  })

  it('stores JSON values with valueEncoding: json', async () => {
    const db = await Engine.open({ inMemory: true, valueEncoding: 'json' })
    await db.put('doc', 1, { a: 1, list: [true, null, 'x'] })
    await db.writeBatch([{ key: 'doc', ts: 2, value: 'a string' }, { key: 'doc', ts: 3, value: 42 }])
    expect(await db.get('doc', 1)).toEqual({ a: 1, list: [true, null, 'x'] })
    expect(db.getSync('doc', 2)).toBe('a string')
    expect((await db.getLatest('doc')).value).toBe(42)
    expect(await db.get('doc', 1, { valueEncoding: 'utf8' })).toBe('{"a":1,"list":[true,null,"x"]}')
    await expect(db.put('doc', 4, undefined)).rejects.toThrow(/value cannot be encoded as JSON/)
    await db.close()
    // Per call: an engine with buffer values can write JSON for one call.
    await engine.put('json-once', 1, { n: 1 }, { valueEncoding: 'json' })
    expect(await engine.get('json-once', 1, { valueEncoding: 'json' })).toEqual({ n: 1 })
  })
})

describe('stats', () => {
  it('returns the documented counters as numbers, and counts writes', async () => {
    const db = await Engine.open({ inMemory: true })
    const before = db.stats()
    for (const name of ['lastSequence', 'recordsWritten', 'bytesWritten', 'walSyncs', 'writeGroups', 'flushes',
      'stallMicros', 'memtableBytes', 'frozenMemtables', 'sstables', 'sstableBytes', 'blockCacheHits',
      'blockCacheMisses', 'blockCacheBytes', 'bloomUseful']) {
      expect(typeof before[name], name).toBe('number')
    }
    await db.writeBatch([{ key: 'a', ts: 1, value: 'x' }, { key: 'b', ts: 1, value: 'y' }])
    await db.del('a', 1)
    const after = db.stats()
    expect(after.recordsWritten - before.recordsWritten).toBe(3)
    expect(after.lastSequence - before.lastSequence).toBe(3)
    await db.flush()
    expect(db.stats().flushes).toBe(before.flushes + 1)
    expect(db.stats().sstables).toBeGreaterThan(0)
    await db.close()
  })
})

describe('argument validation', () => {
  const badKeys = [null, undefined, 42, {}, [], true, Symbol('k'), 1n, new Uint16Array(2), new ArrayBuffer(2)]
  const badTsTypes = [null, undefined, '1', {}, [], true, NaN, 1.5, Infinity, -Infinity]
  const badTsRanges = [2 ** 53, -(2 ** 53), 1e300, 2n ** 63n, -(2n ** 63n) - 1n]

  it.each(badKeys.map((k) => [k]))('key %s is a TypeError', async (key) => {
    await expect(engine.put(key, 1, 'v')).rejects.toThrow(TypeError)
    await expect(engine.put(key, 1, 'v')).rejects.toThrow(/^key must be a string or a Uint8Array/)
    await expect(engine.get(key, 1)).rejects.toThrow(TypeError)
    expect(() => engine.getSync(key, 1)).toThrow(TypeError)
    await expect(engine.getLatest(key)).rejects.toThrow(TypeError)
    expect(() => engine.getLatestSync(key)).toThrow(TypeError)
    await expect(engine.del(key, 1)).rejects.toThrow(TypeError)
    await expect(engine.writeBatch([{ key, ts: 1, value: 'v' }])).rejects.toThrow(/records\[0\]\.key/)
    await expect(engine.deleteBatch([[key, 1]])).rejects.toThrow(/pairs\[0\]\[0\]/)
  })

  it.each(badTsTypes.map((t) => [t]))('ts %s is a TypeError', async (ts) => {
    await expect(engine.put('k', ts, 'v')).rejects.toThrow(TypeError)
    await expect(engine.put('k', ts, 'v')).rejects.toThrow(/^ts must be an integer/)
    await expect(engine.get('k', ts)).rejects.toThrow(TypeError)
    expect(() => engine.getSync('k', ts)).toThrow(TypeError)
    await expect(engine.del('k', ts)).rejects.toThrow(TypeError)
    await expect(engine.writeBatch([{ key: 'k', ts, value: 'v' }])).rejects.toThrow(/records\[0\]\.ts/)
  })

  it.each(badTsRanges.map((t) => [t]))('ts %s is a RangeError', async (ts) => {
    await expect(engine.put('k', ts, 'v')).rejects.toThrow(RangeError)
    await expect(engine.get('k', ts)).rejects.toThrow(RangeError)
    expect(() => engine.getSync('k', ts)).toThrow(RangeError)
  })

  it('rejects values that are neither strings nor bytes', async () => {
    for (const value of [null, undefined, 42, {}, [1], true, new Uint32Array(1)]) {
      await expect(engine.put('k', 1, value)).rejects.toThrow(/^value must be a string or a Uint8Array/)
    }
  })

  it('rejects malformed batches and options', async () => {
    await expect(engine.writeBatch()).rejects.toThrow(/records must be an array/)
    await expect(engine.writeBatch({ key: 'k' })).rejects.toThrow(TypeError)
    await expect(engine.writeBatch([null])).rejects.toThrow(/records\[0\] must be an object/)
    await expect(engine.writeBatch([{ key: 'k', ts: 1, value: 'v' }], { valueEncodng: 'json' })).rejects.toThrow(/did you mean 'valueEncoding'/)
    await expect(engine.deleteBatch('k')).rejects.toThrow(/pairs must be an array/)
    await expect(engine.deleteBatch([['k']])).rejects.toThrow(/pairs\[0\] must be a \[key, ts\] array/)
    await expect(engine.put('k', 1, 'v', { ttl: 10, expireAt: 10 })).rejects.toThrow(/cannot both be given/)
    await expect(engine.put('k', 1, 'v', { tll: 10 })).rejects.toThrow(/Unknown option 'tll' in put\(\) options; did you mean 'ttl'\?/)
    await expect(engine.put('k', 1, 'v', 'opts')).rejects.toThrow(/options must be an object/)
    await expect(engine.get('k', 1, { valueEncoding: 'hex' })).rejects.toThrow(RangeError)
    await expect(engine.get('k', 1, { encoding: 'utf8' })).rejects.toThrow(TypeError)
    expect(() => engine.getSync('k', 1, null)).toThrow(TypeError)
    await expect(engine.getLatest('k', { keyEncoding: 'view' })).rejects.toThrow(RangeError)
  })

  it('engine errors are FlowDBErrors, argument errors are not', async () => {
    const err = await engine.put(null, 1, 'v').catch((e) => e)
    expect(err).not.toBeInstanceOf(FlowDBError)
    expect(err.code).toBeUndefined()
  })

  it('the engine still works after all those rejected calls', async () => {
    await engine.put('still-ok', 1, 'yes')
    expect(await engine.get('still-ok', 1, { valueEncoding: 'utf8' })).toBe('yes')
  })
})
