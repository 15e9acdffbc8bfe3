// IDBObjectStore: writes, reads, keys (extraction from the clone, key
// generator, conversion), errors, and getAll / getAllKeys.

import { describe, it, expect } from 'vitest'
import { idb, done, finished, open, memoryFactory, errorName } from './helpers.js'

const { IDBKeyRange } = idb

async function withStore (options, indexes = []) {
  const factory = memoryFactory()
  const db = await open(factory, 'db', 1, (db) => {
    const s = db.createObjectStore('s', options)
    for (const [name, path, opts] of indexes) s.createIndex(name, path, opts)
  })
  return { factory, db, store: (mode = 'readwrite') => db.transaction('s', mode).objectStore('s') }
}

describe('IDBObjectStore writes and reads', () => {
  it('puts, adds, gets, deletes and counts with out-of-line keys', async () => {
    const { db, store } = await withStore()
    const s = store()
    expect(await done(s.put({ a: 1 }, 1))).toBe(1)
    expect(await done(s.add('two', 'k2'))).toBe('k2')
    expect(await errorName(done(s.add('again', 1)))).toBe('ConstraintError')
    expect(await done(s.get(1))).toEqual({ a: 1 })
    expect(await done(s.get('nope'))).toBeUndefined()
    expect(await done(s.getKey(IDBKeyRange.lowerBound(2)))).toBe('k2')
    expect(await done(s.count())).toBe(2)
    expect(await done(s.count(IDBKeyRange.only(1)))).toBe(1)
    expect(await done(s.delete(1))).toBeUndefined()
    expect(await done(s.count())).toBe(1)
    await done(s.clear())
    expect(await done(s.count())).toBe(0)
    db.close()
  })

  it('keeps values as structured clones (Dates, Maps, typed arrays, cycles)', async () => {
    const { db, store } = await withStore()
    const v = { when: new Date(7), m: new Map([[1, 'x']]), set: new Set([2]), bytes: new Uint8Array([1, 2]) }
    v.self = v
    const s = store()
    await done(s.put(v, 'v'))
    v.when.setTime(99) // the stored clone does not follow
    const got = await done(s.get('v'))
    expect(got.when).toEqual(new Date(7))
    expect(got.m.get(1)).toBe('x')
    expect(got.self).toBe(got)
    expect(got.bytes).toEqual(new Uint8Array([1, 2]))
    expect(await errorName(() => s.put({ f () {} }, 'f'))).toBe('DataCloneError')
    expect(await errorName(() => s.put(Symbol('x'), 'f'))).toBe('DataCloneError')
    db.close()
  })

  it('accepts numbers, Dates, strings, binary and array keys, in key order', async () => {
    const { db, store } = await withStore()
    const s = store()
    const keys = [[1], new Uint8Array([0, 1]), 'b', 'a', new Date(5), -Infinity, 3]
    for (const k of keys) await done(s.put(String(k), k))
    const got = await done(s.getAllKeys())
    expect(got.slice(0, 5)).toEqual([-Infinity, 3, new Date(5), 'a', 'b'])
    expect(got[5]).toBeInstanceOf(ArrayBuffer)
    expect(Array.from(new Uint8Array(got[5]))).toEqual([0, 1])
    expect(got[6]).toEqual([1])
    for (const bad of [NaN, null, {}, new Date(NaN), [1, {}], true]) {
      expect(await errorName(() => s.put(1, bad))).toBe('DataError')
    }
    const cyclic = []
    cyclic.push(cyclic)
    expect(await errorName(() => s.get(cyclic))).toBe('DataError')
    db.close()
  })

  it('extracts in-line keys from the clone and injects generated ones', async () => {
    const { db, store } = await withStore({ keyPath: 'a.id', autoIncrement: true })
    const s = store()
    expect(await done(s.put({ x: 1 }))).toBe(1)
    expect(await done(s.put({ a: { id: 10 } }))).toBe(10)
    expect(await done(s.add({ b: 2 }))).toBe(11) // the explicit 10 raised the generator
    expect(await done(s.get(1))).toEqual({ x: 1, a: { id: 1 } })
    expect(await errorName(() => s.put({ a: 5 }))).toBe('DataError') // cannot inject into a number
    expect(await errorName(() => s.put({ a: { id: {} } }))).toBe('DataError')
    expect(await errorName(() => s.put({ a: { id: 3 } }, 3))).toBe('DataError') // key given to in-line store
    db.close()
  })

  it('rejects a value without key for an in-line store without generator, and compound key paths', async () => {
    const { db, store } = await withStore({ keyPath: ['a', 'b'] })
    const s = store()
    expect(await done(s.put({ a: 1, b: 'x' }))).toEqual([1, 'x'])
    expect(await errorName(() => s.put({ a: 1 }))).toBe('DataError')
    expect(await done(s.get([1, 'x']))).toEqual({ a: 1, b: 'x' })
    db.close()
  })

  it('keeps generated keys of an aborted transaction unused and uses up failed ones', async () => {
    const { db, store } = await withStore({ autoIncrement: true })
    let s = store()
    await done(s.add('a'))
    await done(s.add('b'))
    s.transaction.abort()
    s = store()
    expect(await done(s.add('c'))).toBe(1)
    const tx = db.transaction('s', 'readwrite')
    const t = tx.objectStore('s')
    t.add('d', 2)
    const failed = t.add('e', 2)
    failed.onerror = (e) => e.preventDefault()
    const after = t.add('f')
    await finished(tx)
    expect(after.result).toBe(3)
    db.close()
  })

  it('refuses writes in readonly transactions and reads after the store was deleted', async () => {
    const { db, store } = await withStore()
    const s = store('readonly')
    expect(await errorName(() => s.put(1, 1))).toBe('ReadOnlyError')
    expect(await errorName(() => s.clear())).toBe('ReadOnlyError')
    expect(await errorName(() => s.delete(1))).toBe('ReadOnlyError')
    expect(await errorName(() => s.get())).toBe('TypeError')
    expect(await errorName(() => s.get(null))).toBe('DataError')
    expect(await errorName(() => db.transaction('nope'))).toBe('NotFoundError')
    expect(await errorName(() => db.transaction([]))).toBe('InvalidAccessError')
    expect(await errorName(() => db.transaction('s', 'versionchange'))).toBe('TypeError')
    expect(() => db.createObjectStore('x')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }))
    db.close()
  })
})

describe('getAll and getAllKeys', () => {
  it('honour ranges, counts and directions on stores and indexes', async () => {
    const { db, store } = await withStore({ keyPath: 'id' }, [['byGroup', 'group']])
    const s = store()
    for (let i = 1; i <= 6; i++) s.put({ id: i, group: i % 2 ? 'odd' : 'even' })
    expect((await done(s.getAll())).map((v) => v.id)).toEqual([1, 2, 3, 4, 5, 6])
    expect((await done(s.getAll(IDBKeyRange.bound(2, 5), 2))).map((v) => v.id)).toEqual([2, 3])
    expect(await done(s.getAllKeys(null, 0))).toEqual([1, 2, 3, 4, 5, 6])
    expect(await done(s.getAllKeys({ query: IDBKeyRange.upperBound(4), direction: 'prev', count: 3 }))).toEqual([4, 3, 2])
    const byGroup = s.index('byGroup')
    expect(await done(byGroup.getAllKeys('odd'))).toEqual([1, 3, 5])
    expect((await done(byGroup.getAll(undefined, 4))).map((v) => v.id)).toEqual([2, 4, 6, 1])
    expect(await done(byGroup.getAllKeys({ direction: 'prevunique' }))).toEqual([1, 2])
    const records = await done(byGroup.getAllRecords({ query: 'even', direction: 'prev' }))
    expect(records.map((r) => [r.key, r.primaryKey, r.value.id])).toEqual([['even', 6, 6], ['even', 4, 4], ['even', 2, 2]])
    expect(await errorName(() => s.getAll(null, -1))).toBe('TypeError')
    expect(await errorName(() => s.getAll({ direction: 'sideways' }))).toBe('TypeError')
    db.close()
  })
})

describe('edge cases of keys, key paths and records', () => {
  it('treats invalid Dates and array proxies as bad keys, not options', async () => {
    const { db, store } = await withStore()
    const s = store()
    expect(await errorName(() => s.getAll(new Date(NaN)))).toBe('DataError')
    expect(await errorName(() => s.getAllKeys([{}]))).toBe('DataError')
    expect(await errorName(() => s.put(1, new Proxy([1], {})))).toBe('DataError')
    const records = await done(s.getAllRecords())
    expect(records).toEqual([])
    await done(s.put('v', 1))
    const [r] = await done(s.getAllRecords({ query: 1 }))
    expect(r).toBeInstanceOf(idb.IDBRecord)
    expect(Object.prototype.toString.call(r)).toBe('[object IDBRecord]')
    expect([r.key, r.primaryKey, r.value]).toEqual([1, 1, 'v'])
    db.close()
  })

  it('fails a write whose key is too large for the store with DataError, keeping the rest', async () => {
    // A primary or index key over the engine's key size limit (64 KiB with
    // its prefix) was once accepted and then silently missing after commit.
    const { db, store } = await withStore(undefined, [['byTag', 'tag']])
    const huge = new Array(8000).fill(0)
    const s = store()
    const big = s.put('v', huge)
    const bigIndex = s.put({ tag: huge }, 2)
    const errors = []
    for (const r of [big, bigIndex]) r.onerror = (e) => { errors.push(r.error.name); e.preventDefault() }
    expect(await done(s.put({ tag: 'ok' }, 1))).toBe(1)
    await finished(s.transaction)
    expect(errors).toEqual(['DataError', 'DataError'])
    expect(await done(store('readonly').count())).toBe(1)
    expect(await done(store('readonly').index('byTag').count())).toBe(1)
    db.close()
  })

  it('spends the key generator at an explicit key of 2^53', async () => {
    const { db, store } = await withStore({ autoIncrement: true })
    const s = store()
    expect(await done(s.put('a'))).toBe(1)
    expect(await done(s.put('b', 2 ** 53))).toBe(2 ** 53)
    expect(await errorName(done(s.put('c')))).toBe('ConstraintError')
    db.close()
  })

  it('refuses an empty key path array and propagates getter exceptions while cloning', async () => {
    const factory = memoryFactory()
    let thrown
    await open(factory, 'db', 1, (db) => {
      thrown = (() => { try { db.createObjectStore('x', { keyPath: [] }) } catch (e) { return e.name } })()
      const s = db.createObjectStore('s')
      const value = { get boom () { throw new Error('getter') } }
      try { s.put(value, 1) } catch (e) { thrown += ' ' + e.message }
    })
    expect(thrown).toBe('SyntaxError getter')
  })
})

describe('Blobs and detached buffers', () => {
  it('stores Blobs and Files in values, keyed by their attributes, across a persistent reopen', async () => {
    const path = (await import('../helpers/tmp.js')).tempPath()
    let factory = new idb.IDBFactory({ path })
    let db = await open(factory, 'db', 1, (db) => db.createObjectStore('s', { keyPath: 'id', autoIncrement: true }).createIndex('byType', 'blob.type'))
    const tx = db.transaction('s', 'readwrite')
    tx.objectStore('s').put({ blob: new Blob(['hello'], { type: 'text/plain' }), file: new File(['xy'], 'a.txt', { lastModified: 7 }), n: 1 })
    tx.objectStore('s').put({ n: 2 }) // placed after: written after the Blob's bytes were read
    await finished(tx)
    await factory.close()
    factory = new idb.IDBFactory({ path })
    db = await open(factory, 'db')
    const s = db.transaction('s').objectStore('s')
    const v = await done(s.index('byType').get('text/plain'))
    expect(v.blob).toBeInstanceOf(Blob)
    expect([v.id, v.blob.type, await v.blob.text(), v.file.name, v.file.lastModified, await v.file.text()])
      .toEqual([1, 'text/plain', 'hello', 'a.txt', 7, 'xy'])
    expect(await done(db.transaction('s').objectStore('s').getAllKeys())).toEqual([1, 2])
    await factory.close()
  })

  it('refuses a detached buffer as a key', async () => {
    const { db, store } = await withStore()
    const buffer = new ArrayBuffer(4)
    const view = new Uint8Array(buffer)
    structuredClone(buffer, { transfer: [buffer] })
    expect(await errorName(() => store().put(1, buffer))).toBe('DataError')
    expect(await errorName(() => store().getAll(view))).toBe('DataError')
    db.close()
  })
})

describe('keys handed back to script', () => {
  it('are copied without going through setters on Array.prototype', () => {
    let called = false
    Object.defineProperty(Array.prototype, '0', { set () { called = true }, configurable: true })
    let range
    try {
      range = idb.IDBKeyRange.only([1, 2])
    } finally {
      delete Array.prototype[0]
    }
    expect(called).toBe(false)
    expect(range.lower).toEqual([1, 2])
  })
})
