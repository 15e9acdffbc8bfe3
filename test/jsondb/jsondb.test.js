// JsonDB through the public JS API: every method with good and bad input,
// key semantics, indexes, cursors, queries, transactions, persistence and
// the lifecycle (close while pending, calls after close).

import { describe, it, expect, beforeEach, afterEach } from 'vitest'
import { JsonDB, KeyRange, FlowDBError, errorCodes } from '../../lib/index.mjs'
import { tempPath } from '../helpers/tmp.js'
import { codeOf } from '../helpers/code-of.js'

let db
beforeEach(async () => {
  db = await JsonDB.open({ inMemory: true })
})
afterEach(async () => {
  await db.close()
})

describe('open and close', () => {
  it('refuses bad options with TypeError/RangeError', async () => {
    expect(await codeOf(JsonDB.open())).toBe('TypeError')
    expect(await codeOf(JsonDB.open({}))).toBe('TypeError')
    expect(await codeOf(JsonDB.open({ inMemory: true, valueEncoding: 'json' }))).toBe('TypeError')
    expect(await codeOf(JsonDB.open({ inMemory: true, syncmode: 'none' }))).toBe('TypeError')
    expect(await codeOf(JsonDB.open({ inMemory: true, syncMode: 'sometimes' }))).toBe('RangeError')
    expect(() => new JsonDB()).toThrow(TypeError)
  })

  it('close waits for calls in flight; later calls fail with FLOWDB_CLOSED', async () => {
    const d = await JsonDB.open({ inMemory: true })
    await d.createObjectStore('s', { keyPath: 'id' })
    const puts = Array.from({ length: 50 }, (_, i) => d.store('s').put({ id: i }))
    const closing = d.close()
    expect(d.status).toBe('closing')
    await Promise.all(puts)
    await closing
    expect(d.status).toBe('closed')
    expect(await d.close()).toBe(undefined) // idempotent
    const s = d.store
    expect(() => s.call(d, 's')).toThrow(FlowDBError)
    expect(await codeOf(d.createObjectStore('t'))).toBe(errorCodes.CLOSED)
    expect(await codeOf(() => d.schema())).toBe(errorCodes.CLOSED)
    expect(await codeOf(() => d.transaction('s', 'readonly'))).toBe(errorCodes.CLOSED)
  })

  it('close aborts open transactions and ends open cursors', async () => {
    const d = await JsonDB.open({ inMemory: true })
    await d.createObjectStore('s', { keyPath: 'id' })
    await d.store('s').putMany(Array.from({ length: 100 }, (_, i) => ({ id: i })))
    const tx = d.transaction('s', 'readwrite')
    await tx.store('s').put({ id: 1000 })
    const cursor = d.store('s').iterate()
    await cursor.next()
    const store = d.store('s')
    await d.close()
    expect(tx.state).toBe('aborted')
    expect(await codeOf(cursor.next())).toBe(errorCodes.CLOSED)
    expect(await codeOf(store.get(1))).toBe(errorCodes.CLOSED)
  })

  it('transactions and cursors dropped unfinished are collected and do not block close', async () => {
    const d = await JsonDB.open({ inMemory: true })
    await d.createObjectStore('s', { keyPath: 'id' })
    await d.store('s').putMany(Array.from({ length: 100 }, (_, i) => ({ id: i })))
    await (async () => {
      const tx = d.transaction('s', 'readwrite')
      await tx.store('s').put({ id: 1000 })
      const cursor = d.store('s').iterate()
      await cursor.next()
    })()
    for (let i = 0; i < 3; i++) {
      globalThis.gc()
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    expect(await d.store('s').get(1000)).toBe(undefined)
    await d.close()
  })

  it('close during a cursor read and during a commit', async () => {
    // The cursor's read and the put race on worker threads: either may
    // finish first, and close() may end the cursor before its chunk is
    // delivered. The read in flight is answered either way (rounds make the
    // late delivery likely).
    for (let round = 0; round < 100; round++) {
      const d = await JsonDB.open({ inMemory: true })
      await d.createObjectStore('s', { keyPath: 'id' })
      await d.store('s').putMany(Array.from({ length: 3000 }, (_, i) => ({ id: i })))
      const cursor = d.store('s').iterate()
      const reading = cursor.next()
      const tx = d.transaction('s', 'readwrite')
      await tx.store('s').put({ id: 'x' })
      const committing = tx.commit()
      await d.close()
      expect((await reading).value.key).toBe(0)
      expect(await codeOf(cursor.next())).toBe(errorCodes.CLOSED)
      await committing
    }
    const again = await JsonDB.open({ inMemory: true })
    await again.close()
  })

  it('Symbol.asyncDispose closes', async () => {
    const d = await JsonDB.open({ inMemory: true })
    await d[Symbol.asyncDispose]()
    expect(d.status).toBe('closed')
  })
})

describe('schema', () => {
  it('creates, lists, describes and deletes stores and indexes', async () => {
    await db.createObjectStore('users', { keyPath: 'id' })
    await db.createObjectStore('logs', { autoIncrement: true })
    await db.createIndex('users', 'byEmail', 'email', { unique: true })
    await db.createIndex('users', 'byName', ['last', 'first'])
    await db.createIndex('users', 'byTag', 'tags', { multiEntry: true })
    expect(db.objectStoreNames).toEqual(['logs', 'users'])
    const users = db.schema().find((s) => s.name === 'users')
    expect(users).toMatchObject({ name: 'users', keyPath: 'id', autoIncrement: false })
    expect(users.indexes.map((i) => i.name).sort()).toEqual(['byEmail', 'byName', 'byTag'])
    expect(users.indexes.find((i) => i.name === 'byName').keyPath).toEqual(['last', 'first'])
    await db.deleteIndex('users', 'byTag')
    await db.deleteObjectStore('logs')
    expect(db.objectStoreNames).toEqual(['users'])
    expect(db.schema()[0].indexes.map((i) => i.name).sort()).toEqual(['byEmail', 'byName'])
  })

  it('reports errors with stable codes', async () => {
    await db.createObjectStore('s', { keyPath: 'id' })
    expect(await codeOf(db.createObjectStore('s'))).toBe(errorCodes.CONSTRAINT)
    expect(await codeOf(db.deleteObjectStore('nope'))).toBe(errorCodes.NOT_FOUND)
    expect(await codeOf(db.createIndex('nope', 'i', 'x'))).toBe(errorCodes.NOT_FOUND)
    expect(await codeOf(db.deleteIndex('s', 'nope'))).toBe(errorCodes.NOT_FOUND)
    await db.createIndex('s', 'i', 'x')
    expect(await codeOf(db.createIndex('s', 'i', 'y'))).toBe(errorCodes.CONSTRAINT)
  })

  it('refuses bad arguments with TypeError', async () => {
    for (const bad of [
      () => db.createObjectStore(''), () => db.createObjectStore(5), () => db.createObjectStore('s', { keyPath: 'a..b' }),
      () => db.createObjectStore('s', { keyPath: ['a', 'b'], autoIncrement: true }),
      () => db.createObjectStore('s', { keyPth: 'a' }), () => db.createObjectStore('s', 'id'),
      () => db.createIndex('s', 'i', 5), () => db.createIndex('s', 'i', ['a', 'b'], { multiEntry: true }),
      () => db.createIndex('s', 'i', 'a', { unique: 'yes' }), () => db.deleteIndex('s'),
      () => db.applySchema('x'), () => db.applySchema([{ name: 's', indexes: [{ name: 'i' }] }])
    ]) {
      expect(await codeOf(bad)).toBe('TypeError')
    }
  })

  it('a unique index over violating documents fails and leaves nothing', async () => {
    await db.createObjectStore('s', { keyPath: 'id' })
    await db.store('s').putMany([{ id: 1, e: 'a' }, { id: 2, e: 'a' }, { id: 3, e: 'b' }])
    expect(await codeOf(db.createIndex('s', 'byE', 'e', { unique: true }))).toBe(errorCodes.CONSTRAINT)
    expect(db.schema()[0].indexes).toEqual([])
    await db.createIndex('s', 'byE', 'e')
    expect(await db.store('s').index('byE').count('a')).toBe(2)
  })

  it('applySchema creates, backfills and drops in one step, idempotently', async () => {
    await db.createObjectStore('s', { keyPath: 'id' })
    await db.store('s').putMany([{ id: 1, x: 5 }, { id: 2, x: 6 }])
    await db.createIndex('s', 'old', 'x')
    const declared = [
      { name: 's', keyPath: 'id', indexes: [{ name: 'byX', keyPath: 'x', unique: true }] },
      { name: 't', autoIncrement: true }
    ]
    const changes = await db.applySchema(declared)
    expect(changes).toEqual({ createdStores: ['t'], deletedStores: [], createdIndexes: ['s.byX'], deletedIndexes: ['s.old'] })
    expect(await db.store('s').index('byX').getKey(6)).toBe(2)
    expect(await db.applySchema(declared)).toEqual({ createdStores: [], deletedStores: [], createdIndexes: [], deletedIndexes: [] })
    const redefined = [{ name: 's', keyPath: 'other', indexes: [] }]
    expect(await codeOf(db.applySchema(redefined))).toBe(errorCodes.INVALID_ARGUMENT)
    expect(db.schema().find((s) => s.name === 's').indexes.map((i) => i.name)).toEqual(['byX'])
  })
})

describe('object store', () => {
  beforeEach(async () => {
    await db.createObjectStore('s', { keyPath: 'id' })
    await db.createObjectStore('out') // out-of-line keys
    await db.createObjectStore('auto', { keyPath: 'meta.id', autoIncrement: true })
  })

  it('put/add/get/getKey/count/delete/clear', async () => {
    const s = db.store('s')
    expect(await s.put({ id: 1, v: 'a' })).toBe(1)
    expect(await s.add({ id: 2, v: 'b' })).toBe(2)
    expect(await codeOf(s.add({ id: 2, v: 'c' }))).toBe(errorCodes.CONSTRAINT)
    expect(await s.get(2)).toEqual({ id: 2, v: 'b' })
    expect(await s.put({ id: 2, v: 'c' })).toBe(2)
    expect(await s.get(2)).toEqual({ id: 2, v: 'c' })
    expect(await s.get(3)).toBe(undefined)
    expect(await s.get(KeyRange.lowerBound(1, true))).toEqual({ id: 2, v: 'c' })
    expect(await s.getKey(KeyRange.lowerBound(0))).toBe(1)
    expect(await s.count()).toBe(2)
    expect(await s.count(KeyRange.upperBound(1))).toBe(1)
    await s.delete(1)
    expect(await s.get(1)).toBe(undefined)
    await s.putMany([{ id: 5 }, { id: 6 }, { id: 7 }])
    await s.delete(KeyRange.bound(5, 6))
    expect(await s.getAllKeys()).toEqual([2, 7])
    await s.clear()
    expect(await s.count()).toBe(0)
  })

  it('getAll and getAllKeys with range, limit and direction', async () => {
    const s = db.store('s')
    expect(await s.putMany(Array.from({ length: 10 }, (_, i) => ({ id: i })))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect((await s.getAll(KeyRange.bound(2, 5))).map((d) => d.id)).toEqual([2, 3, 4, 5])
    expect(await s.getAllKeys(null, { limit: 3, direction: 'prev' })).toEqual([9, 8, 7])
    expect(await s.getAllKeys(4)).toEqual([4])
    expect(await s.getAll(undefined, { limit: 0 })).toEqual([])
    expect(await codeOf(s.getAll(null, { limit: -2 }))).toBe('RangeError')
    expect(await codeOf(s.getAll(null, { direction: 'up' }))).toBe('RangeError')
    expect(await codeOf(s.getAll(null, { lmit: 1 }))).toBe('TypeError')
  })

  it('keys follow IndexedDB: types ordered, 30 == 30.0, 42 != "42", arrays element-wise', async () => {
    const o = db.store('out')
    const keys = [[1, 'a'], [1], 'b', '42', 42, 30, 2.5, 1000, -Infinity, new Date(5), new Uint8Array([1, 2]), 'a', []]
    for (const [i, k] of keys.entries()) await o.put({ i }, k)
    await o.put({ i: 'again' }, 30.0)
    expect(await o.count()).toBe(keys.length)
    expect(await o.get(30)).toEqual({ i: 'again' })
    expect(await o.get('42')).toEqual({ i: 3 })
    expect(await o.get(42)).toEqual({ i: 4 })
    const all = await o.getAllKeys()
    expect(all).toEqual([-Infinity, 2.5, 30, 42, 1000, new Date(5), '42', 'a', 'b', new Uint8Array([1, 2]).buffer, [], [1], [1, 'a']])
    expect(await o.get(new Date(5))).toEqual({ i: 9 })
    expect(await o.get(new Uint8Array([1, 2]))).toEqual({ i: 10 })
  })

  it('invalid keys and missing key paths are FLOWDB_INVALID_KEY; nothing is written', async () => {
    const s = db.store('s')
    for (const doc of [{ v: 1 }, { id: null }, { id: {} }, { id: true }, { id: [1, {}] }]) {
      expect(await codeOf(s.put(doc))).toBe(errorCodes.INVALID_KEY)
    }
    expect(await codeOf(s.put({ id: 1 }, 1))).toBe(errorCodes.INVALID_KEY) // in-line store refuses a key
    expect(await codeOf(db.store('out').put({ a: 1 }))).toBe(errorCodes.INVALID_KEY) // out-of-line store needs one
    for (const k of [NaN, null, undefined, {}, true, new Date(NaN)]) {
      expect(await codeOf(s.get(k))).toBe(errorCodes.INVALID_KEY)
      expect(await codeOf(s.delete(k))).toBe(errorCodes.INVALID_KEY)
    }
    expect(await s.count()).toBe(0)
  })

  it('refuses what JSON cannot carry before writing', async () => {
    const s = db.store('out')
    const cyclic = { a: 1 }
    cyclic.self = cyclic
    for (const doc of [undefined, () => 1, 1n, { f () {} }, { n: 2n }, cyclic]) {
      expect(await codeOf(s.put(doc, 1))).toBe('TypeError')
    }
    expect(await codeOf(s.putMany([{ a: 1 }, { b: 1n }]))).toBe('TypeError')
    await expect(s.putMany([{ a: 1 }, { b: 1n }])).rejects.toThrow(/^docs\[1\] cannot be stored as JSON/)
    await expect(s.putMany([{ a: 1 }, 2, undefined])).rejects.toThrow(/^docs\[2\] cannot be stored as JSON/)
    expect(await s.count()).toBe(0)
    expect(await codeOf(s.putMany('x'))).toBe('TypeError')
  })

  it('auto-increment generates keys, injects them, and follows explicit numbers', async () => {
    const a = db.store('auto')
    expect(await a.put({ v: 1 })).toBe(1)
    expect(await a.put({ v: 2 })).toBe(2)
    expect(await a.get(2)).toEqual({ v: 2, meta: { id: 2 } })
    expect(await a.put({ v: 3, meta: { id: 10 } })).toBe(10)
    expect(await a.put({ v: 4 })).toBe(11)
    expect(await a.put({ v: 5, meta: { id: 'x' } })).toBe('x')
    expect(await a.put({ v: 6 })).toBe(12)
  })

  it('unknown stores and indexes are FLOWDB_NOT_FOUND', async () => {
    expect(await codeOf(db.store('nope').get(1))).toBe(errorCodes.NOT_FOUND)
    expect(await codeOf(db.store('nope').put({ id: 1 }))).toBe(errorCodes.NOT_FOUND)
    expect(await codeOf(db.store('s').index('nope').get(1))).toBe(errorCodes.NOT_FOUND)
    expect(() => db.store(5)).toThrow(TypeError)
    expect(() => db.store('s').index('')).toThrow(TypeError)
  })

  it('getSync reads on the calling thread', async () => {
    const s = db.store('s')
    await s.put({ id: 'k', v: 1 })
    expect(s.getSync('k')).toEqual({ id: 'k', v: 1 })
    expect(s.getSync('missing')).toBe(undefined)
    expect(() => s.getSync({})).toThrow(FlowDBError)
  })

  it('iterate yields records in chunks, in either direction, up to a limit', async () => {
    const s = db.store('s')
    await s.putMany(Array.from({ length: 2500 }, (_, i) => ({ id: i, v: i * 2 })))
    let n = 0
    for await (const r of s.iterate()) {
      expect(r).toEqual({ key: n, primaryKey: n, value: { id: n, v: n * 2 } })
      n++
    }
    expect(n).toBe(2500)
    const back = []
    for await (const r of s.iterate({ range: KeyRange.bound(10, 20), direction: 'prev', limit: 4 })) back.push(r.key)
    expect(back).toEqual([20, 19, 18, 17])
    const it = s.iterate()
    for await (const r of it) if (r.key === 3) break
    expect((await it.next()).done).toBe(true)
    expect(() => s.iterate({ direction: 'sideways' })).toThrow(RangeError)
    expect(() => s.iterate({ limit: -1 })).toThrow(RangeError)
  })

  it('an index cursor reports each primary key, also where a chunk starts with keys equal to them', async () => {
    await db.createObjectStore('m', { keyPath: 'id' })
    await db.createIndex('m', 'byN', 'n')
    // n === id for the first documents, then n differs from id.
    const docs = Array.from({ length: 40 }, (_, i) => ({ id: i, n: i < 20 ? i : 100 + (i % 7) }))
    await db.store('m').putMany(docs)
    const want = docs.map((d) => ({ key: d.n, primaryKey: d.id })).sort((a, b) => a.key - b.key || a.primaryKey - b.primaryKey)
    const got = []
    for await (const r of db.store('m').index('byN').iterate()) got.push({ key: r.key, primaryKey: r.primaryKey })
    expect(got).toEqual(want)
    expect(await db.store('m').index('byN').getAllKeys()).toEqual(want.map((w) => w.primaryKey))
  })
})

describe('indexes', () => {
  beforeEach(async () => {
    await db.createObjectStore('p', { keyPath: 'id' })
    await db.createIndex('p', 'byEmail', 'email', { unique: true })
    await db.createIndex('p', 'byName', ['last', 'first'])
    await db.createIndex('p', 'byTag', 'tags', { multiEntry: true })
    await db.store('p').putMany([
      { id: 1, email: 'a@x', last: 'Lovelace', first: 'Ada', tags: ['math', 'eng', 'math'] },
      { id: 2, email: 'b@x', last: 'Hopper', first: 'Grace', tags: ['navy', 'eng'] },
      { id: 3, last: 'Lovelace', first: 'Byron', tags: 'poet' },
      { id: 4, email: 'd@x', last: 'Turing', tags: [{}, 'math'] }
    ])
  })

  it('answers get/getKey/getAll/getAllKeys/count through unique, compound and multiEntry indexes', async () => {
    const p = db.store('p')
    expect(await p.index('byEmail').get('b@x')).toMatchObject({ id: 2 })
    expect(await p.index('byEmail').count()).toBe(3) // id 3 has no email: not in the index
    expect(await p.index('byName').getAllKeys(KeyRange.bound(['Lovelace'], ['Lovelace', []]))).toEqual([1, 3])
    expect(await p.index('byName').getKey(['Hopper', 'Grace'])).toBe(2)
    expect(await p.index('byName').count()).toBe(3) // Turing has no first name
    expect(await p.index('byTag').getAllKeys('math')).toEqual([1, 4])
    expect(await p.index('byTag').count('eng')).toBe(2)
    expect(await p.index('byTag').count()).toBe(6) // math, eng, navy, eng, poet, math
    expect((await p.index('byTag').getAll('poet')).map((d) => d.id)).toEqual([3])
  })

  it('keeps unique indexes unique and indexes current on put, delete and clear', async () => {
    const p = db.store('p')
    expect(await codeOf(p.put({ id: 9, email: 'a@x' }))).toBe(errorCodes.CONSTRAINT)
    expect(await p.get(9)).toBe(undefined)
    await p.put({ id: 1, email: 'z@x', tags: [] }) // replaces: old entries go
    expect(await p.index('byEmail').get('a@x')).toBe(undefined)
    expect(await p.index('byTag').getAllKeys('math')).toEqual([4])
    await p.put({ id: 9, email: 'a@x' })
    await p.delete(9)
    expect(await p.index('byEmail').getKey('a@x')).toBe(undefined)
    await p.clear()
    expect(await p.index('byTag').count()).toBe(0)
  })

  it("accepts '' (the value itself) inside a compound key path", async () => {
    await db.createObjectStore('words', { keyPath: [''] })
    const w = db.store('words')
    await w.putMany(['pear', 'apple'])
    expect(await w.getAllKeys()).toEqual([['apple'], ['pear']])
    expect(await w.get(['pear'])).toBe('pear')
    await db.createIndex('p', 'byDoc', ['', 'id'])
    expect(db.schema().find((s) => s.name === 'p').indexes.find((x) => x.name === 'byDoc').keyPath).toEqual(['', 'id'])
    // An object is not a valid key: no document is in this index.
    expect(await db.store('p').index('byDoc').count()).toBe(0)
  })

  it('iterates with nextunique/prevunique', async () => {
    const keys = []
    for await (const r of db.store('p').index('byTag').iterate({ direction: 'nextunique' })) keys.push([r.key, r.primaryKey])
    expect(keys).toEqual([['eng', 1], ['math', 1], ['navy', 2], ['poet', 3]])
    const back = []
    for await (const r of db.store('p').index('byTag').iterate({ direction: 'prevunique' })) back.push([r.key, r.primaryKey])
    expect(back).toEqual([['poet', 3], ['navy', 2], ['math', 1], ['eng', 1]])
  })
})

describe('reads of every size', () => {
  // Small reads of in-memory data are answered on the JS thread; larger
  // ones (past a budget of records) and reads that need files go to a
  // worker. The answers must not depend on which path ran.
  it('getAll, count and queries agree across the JS-thread budget, in memory and on disk', async () => {
    const path = tempPath('jsondb-sizes')
    for (const [label, open] of [['memory', () => JsonDB.open({ inMemory: true })], ['disk', () => JsonDB.open({ path })]]) {
      let d = await open()
      await d.applySchema([{ name: 's', keyPath: 'id', indexes: [{ name: 'g', keyPath: 'g' }] }])
      const docs = Array.from({ length: 3000 }, (_, i) => ({ id: i, g: i % 3 === 0 ? 'big' : `small${i % 50}` }))
      const keys = await d.store('s').putMany(docs)
      expect(Array.isArray(keys) && keys.length === 3000 && keys.every((k, i) => k === i)).toBe(true)
      const mixed = await d.store('s').putMany([{ id: 'a', g: 'm' }, { id: 5000, g: 'm' }])
      expect(mixed).toEqual(['a', 5000])
      await d.store('s').delete(KeyRange.bound('a', 'a'))
      await d.store('s').delete(5000)
      for (let round = 0; round < 2; round++) {
        const s = d.store('s')
        const big = docs.filter((x) => x.g === 'big')
        expect((await s.index('g').getAll('big')).map((x) => x.id), label).toEqual(big.map((x) => x.id))
        expect(await s.index('g').count('big'), label).toBe(big.length)
        expect(await s.index('g').count('small7'), label).toBe(docs.filter((x) => x.g === 'small7').length)
        expect((await s.index('g').getAll('small7')).length, label).toBe(docs.filter((x) => x.g === 'small7').length)
        expect(await s.count(), label).toBe(3000)
        const all = await s.getAllKeys()
        expect(Array.isArray(all) && all.length === 3000 && all[2999] === 2999, label).toBe(true)
        const ids = []
        for await (const r of s.iterate({ range: KeyRange.bound(10, 12) })) ids.push([r.key, r.primaryKey])
        expect(ids, label).toEqual([[10, 10], [11, 11], [12, 12]])
        expect(await s.query().whereEq('g', 'big').count(), label).toBe(big.length)
        expect((await s.query().whereEq('g', 'small9').toArray()).map((x) => x.id), label)
          .toEqual(docs.filter((x) => x.g === 'small9').map((x) => x.id))
        if (label === 'memory') break
        await d.close() // the second round reads what the reopen recovered
        d = await open()
      }
      await d.close()
    }
  })
})

describe('queries', () => {
  const docs = Array.from({ length: 300 }, (_, i) => ({
    id: i, year: 1990 + (i % 30), genre: ['drama', 'comedy', 'horror'][i % 3], rating: (i * 7) % 10, title: `t${i}`
  }))
  beforeEach(async () => {
    await db.createObjectStore('m', { keyPath: 'id' })
    await db.createIndex('m', 'byYear', 'year')
    await db.createIndex('m', 'byGenreYear', ['genre', 'year'])
    await db.store('m').putMany(docs)
  })

  it('answers as plain JS filtering does, with and without indexes', async () => {
    const m = db.store('m')
    // Without orderBy the order is the plan's: compare as sets (by id).
    const byId = (a, b) => a.id - b.id
    const expectSame = async (q, filter, sort, offset = 0, limit = Infinity) => {
      let want = docs.filter(filter)
      if (sort) want = want.slice().sort(sort)
      want = want.slice(offset, offset + limit)
      const got = await q.toArray()
      const seen = []
      for await (const d of q) seen.push(d)
      if (sort) {
        expect(got).toEqual(want)
        expect(seen).toEqual(want)
        expect(await q.first()).toEqual(want[0])
      } else {
        expect(got.slice().sort(byId)).toEqual(want.slice().sort(byId))
        expect(seen).toEqual(got)
      }
      expect(await q.count()).toBe(want.length)
    }
    await expectSame(m.query().whereEq('year', 2000), (d) => d.year === 2000)
    await expectSame(m.query().whereEq('year', 2000).orderBy('rating').limit(3), (d) => d.year === 2000,
      (a, b) => a.rating - b.rating || a.id - b.id, 0, 3)
    await expectSame(m.query().whereRange('year', { gte: 2000, lt: 2005 }).orderBy('year', 'desc').limit(7),
      (d) => d.year >= 2000 && d.year < 2005, (a, b) => b.year - a.year || b.id - a.id, 0, 7)
    await expectSame(m.query().whereEq('genre', 'comedy').whereRange('year', { gt: 2010, lte: 2019 }),
      (d) => d.genre === 'comedy' && d.year > 2010 && d.year <= 2019)
    await expectSame(m.query().whereEq('genre', 'comedy').whereRange('year', { gt: 2010 }),
      (d) => d.genre === 'comedy' && d.year > 2010)
    await expectSame(m.query().whereEq('genre', 'horror').whereRange('year', { lt: 1995 }).orderBy('year', 'desc'),
      (d) => d.genre === 'horror' && d.year < 1995, (a, b) => b.year - a.year || b.id - a.id)
    await expectSame(m.query().whereIn('year', [1991, 2019]).whereEq('rating', 3),
      (d) => (d.year === 1991 || d.year === 2019) && d.rating === 3)
    await expectSame(m.query().whereRange('rating', { lte: 2 }).orderBy('title').offset(5).limit(10),
      (d) => d.rating <= 2, (a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0), 5, 10)
    await expectSame(m.query().whereEq('title', 42), () => false)
  })

  it('explain names the index and whether it sorts', async () => {
    const plan = await db.store('m').query().whereEq('genre', 'drama').whereRange('year', { gte: 2000 }).explain()
    expect(plan.index).toBe('byGenreYear')
    expect(plan.sort).toBe(false)
    const scan = await db.store('m').query().whereEq('rating', 1).orderBy('title').explain()
    expect(scan.index).toBe(null)
    expect(scan.residual).toEqual(['rating'])
    expect(scan.sort).toBe(true)
  })
})

describe('transactions', () => {
  beforeEach(async () => {
    await db.createObjectStore('acct', { keyPath: 'id' })
    await db.createObjectStore('log', { autoIncrement: true })
    await db.createIndex('acct', 'byOwner', 'owner', { unique: true })
    await db.store('acct').putMany([{ id: 'a', owner: 'ann', balance: 100 }, { id: 'b', owner: 'bob', balance: 0 }])
  })

  it('reads its own writes; commit applies, abort drops', async () => {
    const tx = db.transaction(['acct', 'log'], 'readwrite')
    const s = tx.store('acct')
    await s.put({ id: 'c', owner: 'cy', balance: 5 })
    expect(await s.get('c')).toMatchObject({ balance: 5 })
    expect(await s.count()).toBe(3)
    expect(await s.index('byOwner').getKey('cy')).toBe('c')
    expect(await s.query().whereEq('owner', 'cy').count()).toBe(1)
    expect(await db.store('acct').get('c')).toBe(undefined) // not yet visible outside
    await tx.commit()
    expect(tx.state).toBe('committed')
    expect(await db.store('acct').get('c')).toMatchObject({ balance: 5 })
    const tx2 = db.transaction('acct', 'readwrite')
    await tx2.store('acct').delete('c')
    tx2.abort()
    expect(tx2.state).toBe('aborted')
    expect(await db.store('acct').get('c')).toMatchObject({ balance: 5 })
  })

  it('enforces mode, scope and state', async () => {
    const ro = db.transaction('acct')
    expect(ro.mode).toBe('readonly')
    expect(await codeOf(ro.store('acct').put({ id: 'z', owner: 'z' }))).toBe(errorCodes.READ_ONLY)
    expect(() => ro.store('log')).toThrow(FlowDBError)
    await ro.commit()
    expect(await codeOf(ro.store('acct').get('a'))).toBe(errorCodes.TRANSACTION_INACTIVE)
    expect(await codeOf(ro.commit())).toBe(errorCodes.TRANSACTION_INACTIVE)
    expect(await codeOf(() => db.transaction('nope', 'readonly'))).toBe(errorCodes.NOT_FOUND)
    expect(() => db.transaction('acct', 'writeonly')).toThrow(RangeError)
    expect(() => db.transaction(5)).toThrow(TypeError)
  })

  it('a lost update conflicts; read-only transactions never do', async () => {
    const t1 = db.transaction('acct', 'readwrite')
    const t2 = db.transaction('acct', 'readwrite')
    const ro = db.transaction('acct', 'readonly')
    const a1 = await t1.store('acct').get('a')
    const a2 = await t2.store('acct').get('a')
    await ro.store('acct').get('a')
    await t1.store('acct').put({ ...a1, balance: a1.balance + 1 })
    await t2.store('acct').put({ ...a2, balance: a2.balance + 2 })
    await t1.commit()
    expect(await codeOf(t2.commit())).toBe(errorCodes.CONFLICT)
    await ro.commit()
    expect(await db.store('acct').get('a')).toMatchObject({ balance: 101 })
  })

  it('the function form commits, aborts on throw, and retries conflicts', async () => {
    const moved = await db.transaction(['acct', 'log'], 'readwrite', async (tx) => {
      const a = await tx.store('acct').get('a')
      const b = await tx.store('acct').get('b')
      await tx.store('acct').put({ ...a, balance: a.balance - 30 })
      await tx.store('acct').put({ ...b, balance: b.balance + 30 })
      await tx.store('log').add({ moved: 30 })
      return 30
    })
    expect(moved).toBe(30)
    expect(await db.store('acct').get('b')).toMatchObject({ balance: 30 })

    await expect(db.transaction('acct', 'readwrite', async (tx) => {
      await tx.store('acct').delete('a')
      throw new Error('changed my mind')
    })).rejects.toThrow('changed my mind')
    expect(await db.store('acct').get('a')).toMatchObject({ balance: 70 })

    // Increments racing in transactions: each conflict reruns the function.
    let runs = 0
    const increment = () => db.transaction('acct', 'readwrite', async (tx) => {
      runs++
      const b = await tx.store('acct').get('b')
      await new Promise((resolve) => setTimeout(resolve, 1))
      await tx.store('acct').put({ ...b, balance: b.balance + 1 })
    }, { retries: 50 })
    await Promise.all(Array.from({ length: 8 }, increment))
    expect(await db.store('acct').get('b')).toMatchObject({ balance: 38 })
    expect(runs).toBeGreaterThan(8)

    const noRetry = await Promise.allSettled(Array.from({ length: 4 }, () => db.transaction('acct', 'readwrite', async (tx) => {
      const b = await tx.store('acct').get('b')
      await new Promise((resolve) => setTimeout(resolve, 1))
      await tx.store('acct').put({ ...b, balance: b.balance + 1 })
    })))
    expect(noRetry.filter((r) => r.status === 'rejected').map((r) => r.reason.code)).toContain(errorCodes.CONFLICT)
    expect(await codeOf(db.transaction('acct', 'readwrite', () => {}, { retries: -1 }))).toBe('RangeError')
    expect(await codeOf(() => db.transaction('acct', 'readwrite', 'fn'))).toBe('TypeError')
  })

  it('a write-only transaction conflicts through a unique index', async () => {
    const t1 = db.transaction('acct', 'readwrite')
    const t2 = db.transaction('acct', 'readwrite')
    await t1.store('acct').put({ id: 'x', owner: 'same' })
    await t2.store('acct').put({ id: 'y', owner: 'same' })
    await t1.commit()
    const code = await codeOf(t2.commit())
    expect([errorCodes.CONFLICT, errorCodes.CONSTRAINT]).toContain(code)
    expect(await db.store('acct').index('byOwner').getAllKeys('same')).toEqual(['x'])
  })
})

describe('persistence', () => {
  it('schema, documents, indexes and key generators survive a reopen', async () => {
    const path = tempPath()
    let d = await JsonDB.open({ path, syncMode: 'none' })
    await d.createObjectStore('s', { keyPath: 'id', autoIncrement: true })
    await d.createIndex('s', 'byX', 'x', { unique: true })
    await d.store('s').putMany([{ x: 1 }, { x: 2 }, { x: 3 }])
    await d.close()
    d = await JsonDB.open({ path })
    expect(d.schema()).toEqual([{ name: 's', keyPath: 'id', autoIncrement: true, indexes: [{ name: 'byX', keyPath: 'x', unique: true, multiEntry: false }] }])
    expect(await d.store('s').index('byX').get(2)).toEqual({ x: 2, id: 2 })
    expect(await d.store('s').put({ x: 4 })).toBe(4)
    expect(await codeOf(d.store('s').put({ x: 1 }))).toBe(errorCodes.CONSTRAINT)
    await d.close()
  })
})

describe('transaction call order', () => {
  it('commit runs after the calls made before it, in order', async () => {
    await db.createObjectStore('s', { keyPath: 'id' })
    const tx = db.transaction('s', 'readwrite')
    const s = tx.store('s')
    const calls = [s.put({ id: 1, v: 'a' }), s.put({ id: 1, v: 'b' }), s.get(1), s.count()]
    const committing = tx.commit()
    expect(await codeOf(s.put({ id: 2 }))).toBe(errorCodes.TRANSACTION_INACTIVE)
    expect(await Promise.all(calls)).toEqual([1, 1, { id: 1, v: 'b' }, 1])
    await committing
    expect(await db.store('s').getAll()).toEqual([{ id: 1, v: 'b' }])
  })

  it('getSync in a transaction sees its writes; FLOWDB_BUSY while calls are in flight', async () => {
    await db.createObjectStore('s', { keyPath: 'id' })
    const tx = db.transaction('s', 'readwrite')
    const pending = tx.store('s').put({ id: 1 })
    expect(await codeOf(() => tx.store('s').getSync(1))).toBe(errorCodes.BUSY)
    await pending
    expect(tx.store('s').getSync(1)).toEqual({ id: 1 })
    tx.abort()
  })
})
