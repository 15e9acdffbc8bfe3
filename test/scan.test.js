// engine.scan(): key ranges, prefixes, ts bounds, reverse, limit, encodings,
// chunking across nextv calls, snapshots, early exit — checked against a
// plain-JS model of the data.

import { createHook } from 'node:async_hooks'
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { Engine } from '../lib/index.mjs'
import { Model, normalize } from './helpers/model.js'
import { tempPath } from './helpers/tmp.js'
import { rng } from './helpers/random.js'

let engine
const model = new Model()


async function put (records) {
  await engine.writeBatch(records)
  for (const r of records) model.put(r.key, r.ts, r.value)
}

// Scans with binary keys (keys here are not all valid UTF-8) and compares
// with the model.
async function expectScan (range) {
  const got = normalize(await engine.scan({ keyEncoding: 'buffer', ...range }).all())
  expect(got).toEqual(normalize(model.scan(range)))
  return got
}

beforeAll(async () => {
  engine = await Engine.open({ path: tempPath(), memtableSize: 256 * 1024 })
  // Sensors a..e, 0..19 readings each, plus binary keys at the edges.
  const records = []
  for (const sensor of ['a', 'b', 'c', 'd', 'e']) {
    for (let i = 0; i < 20; i++) records.push({ key: `sensor/${sensor}`, ts: i * 10, value: `${sensor}${i}` })
  }
  records.push({ key: Buffer.from([0]), ts: 0, value: 'zero' })
  records.push({ key: Buffer.from([0xff, 0xff]), ts: 1, value: 'ffff' })
  records.push({ key: Buffer.from([0xff, 0xff, 0x00]), ts: 2, value: 'ffff00' })
  records.push({ key: 'sensor', ts: 5, value: 'bare' })
  records.push({ key: 'sensor0', ts: 5, value: 'after-prefix' })
  await put(records)
})
afterAll(async () => { await engine.close() })

describe('key ranges', () => {
  it('reads everything in key then ts order', async () => {
    const all = await expectScan({})
    expect(all.length).toBe(105)
    expect(await engine.scan().all()).toHaveLength(105)
  })

  it('prefix selects exactly the keys that start with it', async () => {
    const got = await expectScan({ prefix: 'sensor/' })
    expect(got.length).toBe(100)
    await expectScan({ prefix: 'sensor/c' })
    await expectScan({ prefix: 'sensor' })
    await expectScan({ prefix: Buffer.from([0xff, 0xff]) }) // no upper bound exists
    await expectScan({ prefix: Buffer.from([0xff]) })
    await expectScan({ prefix: '' })
    expect(await engine.scan({ prefix: 'nothing-here' }).all()).toEqual([])
  })

  it.each([
    [{ gt: 'sensor/b' }], [{ gte: 'sensor/b' }], [{ lt: 'sensor/b' }], [{ lte: 'sensor/b' }],
    [{ gt: 'sensor/a', lt: 'sensor/d' }], [{ gte: 'sensor/a', lte: 'sensor/d' }],
    [{ gt: 'sensor/a', lte: 'sensor/d' }], [{ gte: 'sensor/b', lt: 'sensor/b' }],
    [{ gte: 'sensor/b', lte: 'sensor/b' }], [{ gt: 'sensor/d', lt: 'sensor/b' }],
    [{ gte: Buffer.from([0]), lt: Buffer.from([0, 0]) }], [{ gt: Buffer.from([0xff, 0xff]) }]
  ])('bounds %o', async (range) => {
    await expectScan(range)
    await expectScan({ ...range, reverse: true })
  })

  it('prefix combined with bounds reads the intersection', async () => {
    await expectScan({ prefix: 'sensor/', gte: 'sensor/c' })
    await expectScan({ prefix: 'sensor/', gt: 'sensor/c', lt: 'sensor/e' })
    await expectScan({ prefix: 'sensor/', lte: 'sensor/b' })
    await expectScan({ prefix: 'sensor/c', gte: 'a', lt: 'z' })
    await expectScan({ prefix: 'sensor/c', gt: 'sensor/c' })
    expect(await engine.scan({ prefix: 'sensor/c', lt: 'sensor/b' }).all()).toEqual([])
  })
})

describe('ts bounds, reverse and limit', () => {
  it.each([
    [{ gte: 50 }], [{ gt: 50 }], [{ lt: 50 }], [{ lte: 50 }], [{ gte: 50, lte: 50 }], [{ gt: 50, lt: 60 }],
    [{ gte: 30n, lt: 100n }], [{ gt: 190 }], [{ lt: 0 }], [{ gt: 2n ** 63n - 1n }], [{ lt: -(2n ** 63n) }]
  ])('ts %o', async (ts) => {
    await expectScan({ ts })
    await expectScan({ prefix: 'sensor/b', ts, reverse: true })
  })

  it('reverse walks keys and timestamps downwards', async () => {
    const got = await expectScan({ prefix: 'sensor/', reverse: true })
    const hex = (s) => Buffer.from(s).toString('hex')
    expect(got[0].startsWith(`${hex('sensor/e')}@190=`)).toBe(true)
    expect(got.at(-1).startsWith(`${hex('sensor/a')}@0=`)).toBe(true)
  })

  it.each([0, 1, 15, 16, 17, 99, 100, 101, -1, Infinity])('limit %s', async (limit) => {
    const range = { prefix: 'sensor/', limit }
    const got = normalize(await engine.scan({ keyEncoding: 'buffer', ...range }).all())
    expect(got).toEqual(normalize(model.scan(limit === Infinity ? { prefix: 'sensor/' } : range)))
    await expectScan({ ...range, reverse: true, limit: limit === Infinity ? -1 : limit })
  })

  it('the latest reading of every sensor: reverse + limit 1 per prefix', async () => {
    for (const sensor of ['a', 'e']) {
      const [latest] = await engine.scan({ prefix: `sensor/${sensor}`, reverse: true, limit: 1, valueEncoding: 'utf8' }).all()
      expect(latest).toEqual({ key: `sensor/${sensor}`, ts: 190, value: `${sensor}19`, expireAt: null })
    }
  })
})

describe('encodings', () => {
  it('returns utf8 keys and buffer values by default', async () => {
    const [r] = await engine.scan({ prefix: 'sensor/a', limit: 1 }).all()
    expect(r).toEqual({ key: 'sensor/a', ts: 0, value: Buffer.from('a0'), expireAt: null })
  })

  it('utf8 keys of equal length that differ in one byte decode apart, across chunks', async () => {
    // The scan reuses the previous key's string while the bytes repeat; keys
    // here differ only in their last byte (or in a multi-byte character) and
    // alternate within and across chunk boundaries.
    const db = await Engine.open({ inMemory: true })
    const keys = ['k/aa', 'k/ab', 'k/é', 'k/è', 'k/ac']
    const records = []
    for (const key of keys) {
      for (let ts = 0; ts < 700; ts++) records.push({ key, ts, value: 'v' })
    }
    await db.writeBatch(records)
    const got = await db.scan().all()
    expect(got.map((r) => `${r.key}@${r.ts}`)).toEqual([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
      .flatMap((key) => Array.from({ length: 700 }, (_, ts) => `${key}@${ts}`)))
    await db.close()
  })

  it('honours keyEncoding and valueEncoding per scan', async () => {
    const [r] = await engine.scan({ prefix: Buffer.from([0xff, 0xff, 0]), keyEncoding: 'buffer', valueEncoding: 'utf8' }).all()
    expect(r.key).toEqual(Buffer.from([0xff, 0xff, 0]))
    expect(r.value).toBe('ffff00')
    const db = await Engine.open({ inMemory: true, valueEncoding: 'json', keyEncoding: 'buffer' })
    await db.put('j', 1, { deep: { list: [1, 2] } })
    const [j] = await db.scan().all()
    expect(j).toEqual({ key: Buffer.from('j'), ts: 1, value: { deep: { list: [1, 2] } }, expireAt: null })
    await db.close()
  })

  it('a value that is not JSON rejects under valueEncoding json, and the scan goes on', async () => {
    const db = await Engine.open({ inMemory: true })
    await db.writeBatch([{ key: 'a', ts: 1, value: '1' }, { key: 'b', ts: 1, value: 'not json' }, { key: 'c', ts: 1, value: '[3]' }])
    const scan = db.scan({ valueEncoding: 'json' })
    expect((await scan.next()).value.value).toBe(1)
    await expect(scan.next()).rejects.toThrow(SyntaxError)
    expect((await scan.next()).value.value).toEqual([3])
    await scan.close()
    await expect(db.get('b', 1, { valueEncoding: 'json' })).rejects.toThrow(SyntaxError)
    await db.close()
  })

  it('returned buffers are copies the caller owns', async () => {
    const records = await engine.scan({ prefix: 'sensor/a', keyEncoding: 'buffer' }).all()
    records[0].value.fill(0)
    records[0].key.fill(0)
    expect(records[1].value).toEqual(Buffer.from('a1'))
    expect(records[1].key).toEqual(Buffer.from('sensor/a'))
  })
})

describe('iteration protocol', () => {
  it('breaking out of for await closes the scan', async () => {
    const scan = engine.scan({ prefix: 'sensor/' })
    let n = 0
    for await (const r of scan) { // eslint-disable-line no-unused-vars
      if (++n === 3) break
    }
    expect(n).toBe(3)
    expect(await scan.next()).toEqual({ value: undefined, done: true })
  })

  it('an exception inside for await closes the scan', async () => {
    const scan = engine.scan()
    await expect((async () => { for await (const r of scan) throw new Error('stop ' + r.ts) })()).rejects.toThrow('stop')
    expect((await scan.next()).done).toBe(true)
  })

  it('close() is idempotent and ends iteration; asyncDispose closes too', async () => {
    const scan = engine.scan()
    expect((await scan.next()).done).toBe(false)
    await Promise.all([scan.close(), scan.close()])
    expect((await scan.next()).done).toBe(true)
    const disposed = engine.scan()
    await disposed[Symbol.asyncDispose]()
    expect(await disposed.all()).toEqual([])
  })

  it('un-awaited next() calls resolve in order', async () => {
    const scan = engine.scan({ prefix: 'sensor/', valueEncoding: 'utf8' })
    const results = await Promise.all(Array.from({ length: 120 }, () => scan.next()))
    const values = results.filter((r) => !r.done).map((r) => r.value.value)
    expect(values).toEqual(model.scan({ prefix: 'sensor/' }).map((r) => r.value.toString()))
    expect(results.slice(100).every((r) => r.done)).toBe(true)
  })

  it('all() after some next() calls returns the rest', async () => {
    const scan = engine.scan({ prefix: 'sensor/a' })
    await scan.next()
    await scan.next()
    expect(await scan.all()).toHaveLength(18)
  })

  it('reads a snapshot: writes after scan() are not seen', async () => {
    const db = await Engine.open({ inMemory: true })
    await db.writeBatch([{ key: 'a', ts: 1, value: 'x' }, { key: 'b', ts: 1, value: 'x' }])
    const scan = db.scan()
    await db.writeBatch([{ key: 'a', ts: 2, value: 'y' }, { key: 'c', ts: 1, value: 'y' }])
    await db.del('b', 1)
    expect((await scan.all()).map((r) => `${r.key}@${r.ts}`)).toEqual(['a@1', 'b@1'])
    expect((await db.scan().all()).map((r) => `${r.key}@${r.ts}`)).toEqual(['a@1', 'a@2', 'c@1'])
    await db.close()
  })
})

describe('larger data', () => {
  it('10k records across many chunks, before and after a flush, match the model', async () => {
    const random = rng(42)
    const records = []
    for (let i = 0; i < 10000; i++) {
      const key = `bulk/${String(Math.floor(random() * 500)).padStart(4, '0')}`
      records.push({ key, ts: Math.floor(random() * 1e6) - 5e5, value: Buffer.alloc(Math.floor(random() * 64), i % 251) })
    }
    for (let i = 0; i < records.length; i += 1000) await put(records.slice(i, i + 1000))
    expect((await expectScan({ prefix: 'bulk/' })).length).toBeGreaterThan(9900)
    const before = model.scan({ prefix: 'bulk/' })
    await expectScan({ prefix: 'bulk/', reverse: true })
    await engine.flush()
    // Overwrites and deletes on top of the SSTable, still in the memtable.
    const deletes = before.filter((_, i) => i % 7 === 0).map((r) => [r.key, r.ts])
    await engine.deleteBatch(deletes)
    for (const [k, ts] of deletes) model.del(k, ts)
    await put(before.filter((_, i) => i % 11 === 0).map((r) => ({ key: r.key, ts: r.ts, value: 'overwritten' })))
    await expectScan({ prefix: 'bulk/' })
    await expectScan({ prefix: 'bulk/', reverse: true })
    await expectScan({ prefix: 'bulk/', ts: { gte: -1000, lt: 250000 }, limit: 1234 })
  })

  it('random ranges match the model', async () => {
    const random = rng(7)
    const keyAt = () => `bulk/${String(Math.floor(random() * 520)).padStart(4, '0')}`
    for (let i = 0; i < 60; i++) {
      const range = {}
      const lower = random()
      const upper = random()
      if (lower < 0.33) range.gt = keyAt(); else if (lower < 0.66) range.gte = keyAt()
      if (upper < 0.33) range.lt = keyAt(); else if (upper < 0.66) range.lte = keyAt()
      if (random() < 0.5) range.ts = { [random() < 0.5 ? 'gt' : 'gte']: Math.floor(random() * 1e6) - 5e5 }
      if (random() < 0.3) range.reverse = true
      if (random() < 0.3) range.limit = Math.floor(random() * 300)
      if (random() < 0.2) range.prefix = `bulk/0${Math.floor(random() * 5)}`
      await expectScan(range)
    }
  })
})

describe('range validation', () => {
  it.each([
    [{ prefx: 'a' }, TypeError, /Unknown option 'prefx' in scan\(\) range; did you mean 'prefix'\?/],
    ['a', TypeError, /range must be an object/],
    [{ gt: 'a', gte: 'b' }, TypeError, /range\.gt and range\.gte cannot both be given/],
    [{ lt: 'a', lte: 'b' }, TypeError, /range\.lt and range\.lte cannot both be given/],
    [{ gt: 5 }, TypeError, /range\.gt must be a string or a Uint8Array/],
    [{ prefix: null }, TypeError, /range\.prefix/],
    [{ ts: 5 }, TypeError, /range\.ts must be an object/],
    [{ ts: { from: 5 } }, TypeError, /Unknown option 'from' in range\.ts/],
    [{ ts: { gt: 1.5 } }, TypeError, /range\.ts\.gt must be an integer/],
    [{ ts: { lt: 2 ** 60 } }, RangeError, /range\.ts\.lt must be a safe integer/],
    [{ ts: { gt: 1, gte: 2 } }, TypeError, /cannot both be given/],
    [{ reverse: 'yes' }, TypeError, /range\.reverse must be a boolean/],
    [{ limit: 1.5 }, TypeError, /range\.limit must be an integer/],
    [{ limit: -2 }, RangeError, /range\.limit must be between -1/],
    [{ limit: '10' }, TypeError, /range\.limit/],
    [{ keyEncoding: 'hex' }, RangeError, /range\.keyEncoding must be one of 'utf8', 'buffer'/],
    [{ valueEncoding: 1 }, TypeError, /range\.valueEncoding/],
    [{ gte: Buffer.alloc(65537) }, RangeError, /range\.gte must be at most 65536 bytes/]
  ].map(([range, type, message]) => [message.source, range, type, message]))('%s', (_, range, type, message) => {
    expect(() => engine.scan(range)).toThrow(type)
    expect(() => engine.scan(range)).toThrow(message)
  })
})

describe('read-ahead', () => {
  it('keeps limit, early exit and engine close exact while a chunk is read ahead', async () => {
    const e = await Engine.open({ inMemory: true, valueEncoding: 'utf8' })
    const n = 5000
    for (let b = 0; b < n; b += 500) {
      await e.writeBatch(Array.from({ length: 500 }, (_, j) => ({ key: `k${String(b + j).padStart(5, '0')}`, ts: 1, value: `${b + j}` })))
    }
    // A limit that ends inside the second full chunk.
    const limited = await e.scan({ limit: 1234 }).all()
    expect(limited.length).toBe(1234)
    expect(limited.at(-1).value).toBe('1233')
    // for await over every chunk, in order.
    let i = 0
    for await (const r of e.scan()) expect(r.value).toBe(String(i++))
    expect(i).toBe(n)
    // Leave the loop while the next chunk is being read ahead.
    i = 0
    for await (const r of e.scan()) {
      if (++i === 1100) break
      expect(r.value).toBe(String(i - 1))
    }
    // Close the engine while a scan has a chunk in flight: the scan reports
    // FLOWDB_CLOSED and close() still settles.
    const scan = e.scan()
    for (let k = 0; k < 1020; k++) await scan.next()
    const closing = e.close()
    await expect(scan.next()).rejects.toMatchObject({ code: 'FLOWDB_CLOSED' })
    await closing
  })

  it('reads a short hot scan on the JS thread and a cold one on a worker, with the same records', async () => {
    const path = tempPath()
    let e = await Engine.open({ path, valueEncoding: 'utf8' })
    for (let b = 0; b < 20; b++) {
      await e.writeBatch(Array.from({ length: 100 }, (_, j) => ({ key: `s${j % 10}`, ts: b * 10 + Math.floor(j / 10), value: `${b}/${j}` })))
    }
    await e.flush()
    await e.close()
    e = await Engine.open({ path, valueEncoding: 'utf8' })
    await e.put('s3', 5000, 'in the memtable')
    const workerReads = []
    const hook = createHook({ init (id, type) { if (type === 'flowdb.iterator.nextv') workerReads.push(id) } }).enable()
    try {
      const cold = await e.scan({ prefix: 's3' }).all() // table files closed, no block cached
      expect(workerReads.length).toBe(1)
      const hot = await e.scan({ prefix: 's3' }).all() // the blocks are cached now
      expect(workerReads.length).toBe(1)
      expect(hot).toEqual(cold)
      expect(cold.length).toBe(201)
      expect(cold.at(-1)).toMatchObject({ ts: 5000, value: 'in the memtable' })
      // A long scan: the first chunk from memory, the rest from workers.
      const all = await e.scan().all()
      expect(all.length).toBe(2001)
      expect(workerReads.length).toBeGreaterThan(1)
    } finally {
      hook.disable()
      await e.close()
    }
  })
})
