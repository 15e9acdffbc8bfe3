// IDBCursor / IDBCursorWithValue: every direction on stores and indexes
// (unique and multiEntry included), continue(key), continuePrimaryKey,
// advance, update and delete, and writes made while a cursor walks.

import { describe, it, expect } from 'vitest'
import { idb, done, finished, open, memoryFactory, errorName } from './helpers.js'

const { IDBKeyRange, IDBCursor, IDBCursorWithValue } = idb

const ROWS = [
  { id: 1, g: 'a', tags: ['x', 'y'] },
  { id: 2, g: 'b', tags: ['y'] },
  { id: 3, g: 'a', tags: ['y', 'z', 'y'] },
  { id: 4, g: 'c', tags: [] },
  { id: 5, g: 'b', tags: 'x' }
]

async function rowsDb () {
  const factory = memoryFactory()
  const db = await open(factory, 'db', 1, (db) => {
    const s = db.createObjectStore('s', { keyPath: 'id' })
    s.createIndex('g', 'g')
    s.createIndex('tags', 'tags', { multiEntry: true })
    for (const r of ROWS) s.put(r)
  })
  return db
}

// Walks a cursor request to its end with `move(cursor, log)` (default
// continue()), collecting [key, primaryKey] or with values.
function walk (request, { values = false, move } = {}) {
  return new Promise((resolve, reject) => {
    const out = []
    request.onerror = () => reject(request.error)
    request.onsuccess = () => {
      const c = request.result
      if (c === null) return resolve(out)
      out.push(values ? [c.key, c.primaryKey, c.value.id] : [c.key, c.primaryKey])
      if (move) move(c, out)
      else c.continue()
    }
  })
}

describe('cursors', () => {
  it('walk stores in every direction and range', async () => {
    const db = await rowsDb()
    const s = () => db.transaction('s').objectStore('s')
    expect(await walk(s().openCursor())).toEqual([[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]])
    expect(await walk(s().openCursor(null, 'prev'))).toEqual([[5, 5], [4, 4], [3, 3], [2, 2], [1, 1]])
    expect(await walk(s().openCursor(IDBKeyRange.bound(2, 4, true), 'nextunique'))).toEqual([[3, 3], [4, 4]])
    expect(await walk(s().openKeyCursor(IDBKeyRange.upperBound(2), 'prevunique'))).toEqual([[2, 2], [1, 1]])
    expect(await walk(s().openCursor(9))).toEqual([])
    const req = s().openCursor()
    const c = await done(req)
    expect(c).toBeInstanceOf(IDBCursorWithValue)
    expect(c.source.name).toBe('s')
    expect(c.direction).toBe('next')
    expect(c.request).toBe(req)
    expect(c.value).toBe(c.value) // one clone per position
    const k = await done(db.transaction('s').objectStore('s').openKeyCursor())
    expect(k).toBeInstanceOf(IDBCursor)
    expect(k).not.toBeInstanceOf(IDBCursorWithValue)
    expect(k.value).toBeUndefined()
    db.close()
  })

  it('walk indexes in every direction, with unique and multiEntry entries', async () => {
    const db = await rowsDb()
    const ix = (name) => db.transaction('s').objectStore('s').index(name)
    expect(await walk(ix('g').openCursor())).toEqual([['a', 1], ['a', 3], ['b', 2], ['b', 5], ['c', 4]])
    expect(await walk(ix('g').openCursor(null, 'prev'))).toEqual([['c', 4], ['b', 5], ['b', 2], ['a', 3], ['a', 1]])
    expect(await walk(ix('g').openCursor(null, 'nextunique'))).toEqual([['a', 1], ['b', 2], ['c', 4]])
    expect(await walk(ix('g').openKeyCursor(null, 'prevunique'))).toEqual([['c', 4], ['b', 2], ['a', 1]])
    expect(await walk(ix('tags').openCursor(), { values: true })).toEqual([
      ['x', 1, 1], ['x', 5, 5], ['y', 1, 1], ['y', 2, 2], ['y', 3, 3], ['z', 3, 3]
    ])
    expect(await walk(ix('tags').openKeyCursor(IDBKeyRange.bound('x', 'y'), 'prevunique'))).toEqual([['y', 1], ['x', 1]])
    expect(await done(ix('tags').count())).toBe(6)
    db.close()
  })

  it('continue(key), continuePrimaryKey and advance', async () => {
    const db = await rowsDb()
    const ix = (name) => db.transaction('s').objectStore('s').index(name)
    const s = () => db.transaction('s').objectStore('s')
    expect(await walk(s().openCursor(), { move: (c) => c.continue(c.key + 2) })).toEqual([[1, 1], [3, 3], [5, 5]])
    expect(await walk(ix('g').openCursor(null, 'prev'), { move: (c) => (c.key === 'c' ? c.continue('a') : c.continue()) }))
      .toEqual([['c', 4], ['a', 3], ['a', 1]])
    expect(await walk(ix('tags').openCursor(), {
      move: (c) => (c.primaryKey === 1 && c.key === 'x' ? c.continuePrimaryKey('y', 2) : c.continue())
    })).toEqual([['x', 1], ['y', 2], ['y', 3], ['z', 3]])
    expect(await walk(s().openCursor(), { move: (c) => c.advance(2) })).toEqual([[1, 1], [3, 3], [5, 5]])
    expect(await walk(ix('g').openCursor(null, 'nextunique'), { move: (c) => c.advance(2) })).toEqual([['a', 1], ['c', 4]])

    const c = await done(s().openCursor())
    expect(await errorName(() => c.continue(1))).toBe('DataError') // not beyond the position
    expect(await errorName(() => c.continuePrimaryKey(2, 2))).toBe('InvalidAccessError') // store cursor
    expect(await errorName(() => c.advance(0))).toBe('TypeError')
    c.continue()
    expect(await errorName(() => c.continue())).toBe('InvalidStateError') // iterating
    const g = await done(ix('g').openCursor(null, 'nextunique'))
    expect(await errorName(() => g.continuePrimaryKey('b', 1))).toBe('InvalidAccessError')
    const p = await done(ix('g').openCursor())
    expect(await errorName(() => p.continuePrimaryKey('a', 1))).toBe('DataError')
    db.close()
  })

  it('update() and delete() the record at the position', async () => {
    const db = await rowsDb()
    const tx = db.transaction('s', 'readwrite')
    const s = tx.objectStore('s')
    const seen = await walk(s.index('g').openCursor('a'), {
      values: true,
      move: (c) => {
        if (c.primaryKey === 1) {
          const r = c.update({ ...c.value, g: 'z' })
          expect(r.source).toBe(c)
          expect(() => c.update({ id: 99 })).toThrow(expect.objectContaining({ name: 'DataError' }))
        } else {
          c.delete()
        }
        c.continue()
      }
    })
    expect(seen).toEqual([['a', 1, 1], ['a', 3, 3]])
    await finished(tx)
    const check = db.transaction('s').objectStore('s')
    expect(await done(check.getAllKeys())).toEqual([1, 2, 4, 5])
    expect(await done(check.index('g').getAllKeys('z'))).toEqual([1])
    const ro = await done(db.transaction('s').objectStore('s').openCursor())
    expect(await errorName(() => ro.update({ id: 1 }))).toBe('ReadOnlyError')
    const keys = await done(db.transaction('s', 'readwrite').objectStore('s').openKeyCursor())
    expect(await errorName(() => keys.delete())).toBe('InvalidStateError')
    db.close()
  })

  it('sees writes the transaction makes while it walks', async () => {
    const db = await rowsDb()
    const tx = db.transaction('s', 'readwrite')
    const s = tx.objectStore('s')
    const seen = await walk(s.openCursor(), {
      move: (c) => {
        if (c.key === 1) {
          s.put({ id: 2.5, g: 'n', tags: [] }) // ahead of the cursor: visited
          s.delete(3) // ahead: skipped
          s.put({ id: 0, g: 'n', tags: [] }) // behind: not visited
        }
        c.continue()
      }
    })
    expect(seen).toEqual([[1, 1], [2, 2], [2.5, 2.5], [4, 4], [5, 5]])
    await finished(tx)
    db.close()
  })

  it('walks many records in chunks, in both directions', async () => {
    const factory = memoryFactory()
    const db = await open(factory, 'db', 1, (db) => {
      const s = db.createObjectStore('s')
      s.createIndex('mod', 'mod')
      for (let i = 0; i < 1000; i++) s.put({ mod: i % 7 }, i)
    })
    const s = () => db.transaction('s').objectStore('s')
    const forward = await walk(s().openKeyCursor())
    expect(forward.map(([k]) => k)).toEqual(Array.from({ length: 1000 }, (_, i) => i))
    const back = await walk(s().index('mod').openCursor(IDBKeyRange.only(3), 'prev'))
    expect(back.length).toBe(Math.ceil((1000 - 3) / 7))
    expect(back[0]).toEqual([3, 997])
    db.close()
  })
})

describe('cursor update clones once', () => {
  it('reads the value\'s properties once for the key check and the write', async () => {
    const db = await rowsDb()
    const tx = db.transaction('s', 'readwrite')
    const cursor = await done(tx.objectStore('s').openCursor())
    let reads = 0
    const value = { g: 'q', tags: [] }
    Object.defineProperty(value, 'id', { get () { reads++; return 1 }, enumerable: true })
    await done(cursor.update(value))
    expect(reads).toBe(1)
    await finished(tx)
    expect((await done(db.transaction('s').objectStore('s').get(1))).g).toBe('q')
    db.close()
  })
})
