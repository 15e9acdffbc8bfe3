// IDBFactory and IDBDatabase: open with upgrades, versionchange / blocked
// between connections, upgrade abort reverting version and schema,
// deleteDatabase, databases(), cmp(), schema changes inside upgrades, and
// persistence of a path factory across re-creation.

import { describe, it, expect } from 'vitest'
import { idb, done, finished, open, memoryFactory, errorName, tick } from './helpers.js'
import { tempPath } from '../helpers/tmp.js'

const { IDBFactory, IDBDatabase, IDBVersionChangeEvent, IDBOpenDBRequest } = idb

describe('open and upgrade', () => {
  it('fires upgradeneeded with versions, then success; reopens without upgrade', async () => {
    const factory = memoryFactory()
    const events = []
    const request = factory.open('app', 3)
    expect(request).toBeInstanceOf(IDBOpenDBRequest)
    request.onupgradeneeded = (e) => {
      expect(e).toBeInstanceOf(IDBVersionChangeEvent)
      events.push(['upgrade', e.oldVersion, e.newVersion, request.transaction.mode])
      const db = request.result
      expect(db.version).toBe(3)
      db.createObjectStore('s')
    }
    const db = await done(request)
    events.push(['success', request.transaction])
    expect(db).toBeInstanceOf(IDBDatabase)
    expect(events).toEqual([['upgrade', 0, 3, 'versionchange'], ['success', null]])
    expect(Array.from(db.objectStoreNames)).toEqual(['s'])
    db.close()
    const again = await open(factory, 'app', undefined, () => { throw new Error('no upgrade expected') })
    expect(again.version).toBe(3)
    expect(await errorName(open(factory, 'app', 2))).toBe('VersionError')
    for (const bad of [0, -1, NaN, Infinity, 2 ** 53]) {
      expect(await errorName(() => factory.open('app', bad))).toBe('TypeError')
    }
    again.close()
    expect(await factory.databases()).toEqual([{ name: 'app', version: 3 }])
  })

  it('sends versionchange to open connections and blocked while one stays open', async () => {
    const factory = memoryFactory()
    const first = await open(factory, 'app', 1, (db) => db.createObjectStore('s'))
    const second = await open(factory, 'app', 1)
    const log = []
    first.onversionchange = (e) => { log.push(['first versionchange', e.oldVersion, e.newVersion]); first.close() }
    second.onversionchange = (e) => log.push(['second versionchange', e.oldVersion, e.newVersion])
    const request = factory.open('app', 2)
    request.onblocked = (e) => {
      log.push(['blocked', e.oldVersion, e.newVersion])
      setTimeout(() => second.close(), 5)
    }
    request.onupgradeneeded = () => log.push(['upgrade'])
    const db = await done(request)
    expect(log).toEqual([
      ['first versionchange', 1, 2], ['second versionchange', 1, 2], ['blocked', 1, 2], ['upgrade']
    ])
    const del = factory.deleteDatabase('app')
    const delLog = []
    db.onversionchange = (e) => { delLog.push(['versionchange', e.oldVersion, e.newVersion]); db.close() }
    del.onsuccess = (e) => delLog.push(['deleted', e.oldVersion, e.newVersion, del.result])
    await done(del)
    expect(delLog).toEqual([['versionchange', 2, null], ['deleted', 2, null, undefined]])
    expect(await factory.databases()).toEqual([])
    const fresh = await open(factory, 'app')
    expect(fresh.version).toBe(1)
    expect(fresh.objectStoreNames.length).toBe(0)
    fresh.close()
  })

  it('reverts version, schema and data when the upgrade aborts, and fails the open with AbortError', async () => {
    const factory = memoryFactory()
    const db1 = await open(factory, 'app', 1, (db) => {
      const s = db.createObjectStore('s', { keyPath: 'id' })
      s.put({ id: 1, n: 'a' })
    })
    db1.close()
    const request = factory.open('app', 2)
    let upgradeDb
    request.onupgradeneeded = () => {
      upgradeDb = request.result
      const tx = request.transaction
      tx.objectStore('s').put({ id: 2 })
      tx.objectStore('s').name = 'renamed'
      upgradeDb.createObjectStore('extra')
      tx.objectStore('renamed').createIndex('byN', 'n')
      tx.abort()
    }
    expect(await errorName(done(request))).toBe('AbortError')
    expect(upgradeDb.version).toBe(1)
    expect(Array.from(upgradeDb.objectStoreNames)).toEqual(['s'])
    const db = await open(factory, 'app')
    expect(db.version).toBe(1)
    const s = db.transaction('s').objectStore('s')
    expect(Array.from(s.indexNames)).toEqual([])
    expect(await done(s.getAllKeys())).toEqual([1])
    db.close()
  })

  it('fails the open when an upgradeneeded handler throws', async () => {
    const factory = memoryFactory()
    const listeners = process.listeners('uncaughtException')
    process.removeAllListeners('uncaughtException')
    const reported = []
    process.on('uncaughtException', (e) => reported.push(e.message))
    try {
      const request = factory.open('app', 1)
      request.onupgradeneeded = () => { request.result.createObjectStore('s'); throw new Error('bad upgrade') }
      expect(await errorName(done(request))).toBe('AbortError')
      await tick()
    } finally {
      process.removeAllListeners('uncaughtException')
      for (const l of listeners) process.on('uncaughtException', l)
    }
    expect(reported).toEqual(['bad upgrade'])
    expect(await factory.databases()).toEqual([])
  })
})

describe('schema changes in an upgrade', () => {
  it('indexes existing values on createIndex, and aborts on a unique violation', async () => {
    const factory = memoryFactory()
    let db = await open(factory, 'app', 1, (db) => {
      const s = db.createObjectStore('s', { keyPath: 'id' })
      s.put({ id: 1, tag: ['a', 'b'], email: 'x' })
      s.put({ id: 2, tag: ['b'], email: 'x' })
      s.put({ id: 3, email: 'y' })
    })
    db.close()
    db = await open(factory, 'app', 2, (db, tx) => {
      const s = tx.objectStore('s')
      const byTag = s.createIndex('byTag', 'tag', { multiEntry: true })
      expect(byTag.multiEntry).toBe(true)
      expect(s.index('byTag')).toBe(byTag)
      s.createIndex('byEmail', 'email')
      expect(() => s.createIndex('byTag', 'x')).toThrow(expect.objectContaining({ name: 'ConstraintError' }))
      expect(() => s.createIndex('bad', 'a b')).toThrow(expect.objectContaining({ name: 'SyntaxError' }))
      expect(() => s.createIndex('bad', ['a', 'b'], { multiEntry: true })).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }))
      s.index('byEmail').name = 'mail'
      s.createIndex('gone', 'id')
      s.deleteIndex('gone')
      expect(() => s.deleteIndex('gone')).toThrow(expect.objectContaining({ name: 'NotFoundError' }))
    })
    const s = db.transaction('s').objectStore('s')
    expect(Array.from(s.indexNames)).toEqual(['byTag', 'mail'])
    expect(await done(s.index('byTag').getAllKeys('b'))).toEqual([1, 2])
    expect(await done(s.index('mail').count('x'))).toBe(2)
    db.close()
    const request = factory.open('app', 3)
    request.onupgradeneeded = () => request.transaction.objectStore('s').createIndex('unique', 'email', { unique: true })
    expect(await errorName(done(request))).toBe('AbortError')
    const after = await open(factory, 'app')
    expect(after.version).toBe(2)
    expect(Array.from(after.transaction('s').objectStore('s').indexNames)).toEqual(['byTag', 'mail'])
    after.close()
  })

  it('renames and deletes object stores', async () => {
    const factory = memoryFactory()
    let db = await open(factory, 'app', 1, (db) => {
      db.createObjectStore('a').put('va', 1)
      db.createObjectStore('b')
    })
    db.close()
    db = await open(factory, 'app', 2, (db, tx) => {
      const a = tx.objectStore('a')
      expect(() => { a.name = 'b' }).toThrow(expect.objectContaining({ name: 'ConstraintError' }))
      a.name = 'c'
      expect(tx.objectStore('c')).toBe(a)
      db.deleteObjectStore('b')
      expect(() => tx.objectStore('b')).toThrow(expect.objectContaining({ name: 'NotFoundError' }))
      expect(() => db.createObjectStore('c')).toThrow(expect.objectContaining({ name: 'ConstraintError' }))
      expect(() => db.createObjectStore('x', { keyPath: '', autoIncrement: true })).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }))
    })
    expect(Array.from(db.objectStoreNames)).toEqual(['c'])
    expect(await done(db.transaction('c').objectStore('c').get(1))).toBe('va')
    expect(() => { db.transaction('c', 'readwrite').objectStore('c').name = 'd' }).toThrow(expect.objectContaining({ name: 'InvalidStateError' }))
    db.close()
  })
})

describe('factory', () => {
  it('compares keys with cmp()', () => {
    const f = memoryFactory()
    expect(f.cmp(1, 2)).toBe(-1)
    expect(f.cmp('a', 1)).toBe(1)
    expect(f.cmp(new Date(1), 5)).toBe(1)
    expect(f.cmp([1, 'a'], [1, 'a'])).toBe(0)
    expect(f.cmp(new Uint8Array([1]), 'z')).toBe(1)
    expect(f.cmp(-0, 0)).toBe(0)
    expect(() => f.cmp({}, 1)).toThrow(expect.objectContaining({ name: 'DataError' }))
    expect(() => f.cmp(1)).toThrow(TypeError)
  })

  it('keeps databases, schema and data across factory re-creation on one path', async () => {
    const path = tempPath()
    let factory = new IDBFactory({ path })
    let db = await open(factory, 'one', 4, (db) => {
      const s = db.createObjectStore('s', { keyPath: 'k', autoIncrement: true })
      s.createIndex('byWhen', 'when')
      s.put({ when: new Date(3), bytes: new Uint8Array([9]) })
    })
    const tx = db.transaction('s', 'readwrite')
    tx.objectStore('s').put({ when: new Date(1) })
    await finished(tx)
    await open(factory, 'two', 1, (db) => db.createObjectStore('t'))
    await factory.close()

    factory = new IDBFactory({ path })
    expect(await factory.databases()).toEqual([{ name: 'one', version: 4 }, { name: 'two', version: 1 }])
    db = await open(factory, 'one')
    const s = db.transaction('s', 'readwrite').objectStore('s')
    expect(s.keyPath).toBe('k')
    expect(s.autoIncrement).toBe(true)
    expect((await done(s.index('byWhen').getAll())).map((v) => v.k)).toEqual([2, 1])
    expect((await done(s.get(1))).bytes).toEqual(new Uint8Array([9]))
    expect(await done(s.add({ when: new Date(0) }))).toBe(3)
    await factory.close()
  })

  it('rejects bad options', () => {
    expect(() => new IDBFactory({ path: 5 })).toThrow(TypeError)
    expect(() => new IDBFactory(null)).toThrow(TypeError)
  })
})

describe('metadata after deletes and aborts', () => {
  it('lists no indexes for a deleted store and none made by an aborted upgrade', async () => {
    const factory = memoryFactory()
    const db1 = await open(factory, 'app', 1, (db) => db.createObjectStore('kept').createIndex('i', 'x'))
    db1.close()
    const request = factory.open('app', 2)
    const seen = []
    request.onupgradeneeded = () => {
      const db = request.result
      const tx = request.transaction
      const kept = tx.objectStore('kept')
      db.deleteObjectStore('kept')
      seen.push(kept.indexNames.length)
      const made = db.createObjectStore('made')
      const index = made.createIndex('j', 'y')
      tx.abort()
      seen.push(made.indexNames.length, Array.from(kept.indexNames).join())
      try { index.get(1) } catch (e) { seen.push(e.name) }
    }
    expect(await errorName(done(request))).toBe('AbortError')
    expect(seen).toEqual([0, 0, 'i', 'InvalidStateError'])
  })
})

describe('schema changes and their requests in one upgrade', () => {
  it('renames an index created in the same upgrade, and restarts the key generator of a re-created store', async () => {
    const factory = memoryFactory()
    const db = await open(factory, 'app', 1, (db) => {
      const s = db.createObjectStore('s', { autoIncrement: true })
      s.put({ isbn: 'a' })
      s.put({ isbn: 'b' })
      const index = s.createIndex('byIsbn', 'isbn')
      index.name = 'renamed'
      s.put({ isbn: 'c' })
      db.deleteObjectStore('s')
      const again = db.createObjectStore('s', { autoIncrement: true })
      again.createIndex('renamed', 'isbn')
      again.put({ isbn: 'x' })
    })
    const s = db.transaction('s').objectStore('s')
    expect(await done(s.getAllKeys())).toEqual([1])
    expect(await done(s.index('renamed').getKey('x'))).toBe(1)
    db.close()
  })

  it('keeps an aborted upgrade the connection\'s until its abort event, and commit() survives a throwing handler', async () => {
    const factory = memoryFactory()
    const request = factory.open('app', 1)
    let afterAbort
    request.onupgradeneeded = () => {
      request.transaction.abort()
      try { request.result.createObjectStore('x') } catch (e) { afterAbort = e.name }
    }
    expect(await errorName(done(request))).toBe('AbortError')
    expect(afterAbort).toBe('TransactionInactiveError')
    expect(request.transaction).toBe(null)

    const db = await open(factory, 'app', 2, (db) => db.createObjectStore('s'))
    const listeners = process.listeners('uncaughtException')
    process.removeAllListeners('uncaughtException')
    process.on('uncaughtException', () => {})
    try {
      const tx = db.transaction('s', 'readwrite')
      tx.objectStore('s').put(1, 1).onsuccess = () => { throw new Error('after commit') }
      tx.commit()
      await finished(tx)
      await tick()
    } finally {
      process.removeAllListeners('uncaughtException')
      for (const l of listeners) process.on('uncaughtException', l)
    }
    expect(await done(db.transaction('s').objectStore('s').count())).toBe(1)
    db.close()
  })
})

describe('the end of an upgrade', () => {
  it('refuses schema calls with InvalidStateError in the complete and abort handlers of the upgrade', async () => {
    const factory = memoryFactory()
    const seen = []
    const first = await open(factory, 'app', 1, (db, tx) => {
      tx.oncomplete = () => { try { db.createObjectStore('late') } catch (e) { seen.push(e.name) } }
    })
    first.close()
    const request = factory.open('app', 2)
    request.onupgradeneeded = () => {
      const db = request.result
      request.transaction.onabort = () => { try { db.createObjectStore('late') } catch (e) { seen.push(e.name) } }
      request.transaction.abort()
    }
    expect(await errorName(done(request))).toBe('AbortError')
    expect(seen).toEqual(['InvalidStateError', 'InvalidStateError'])
  })
})

describe('empty names', () => {
  it('keeps an index named "" apart from its store, also after a reopen', async () => {
    const path = tempPath()
    let factory = new IDBFactory({ path })
    await open(factory, 'app', 1, (db) => {
      const s = db.createObjectStore('')
      for (let i = 0; i < 5; i++) s.add({ idx: 'object_' + i }, i)
      s.createIndex('', 'idx')
      s.createIndex('\u0000', 'idx')
    })
    await factory.close()
    factory = new IDBFactory({ path })
    const db = await open(factory, 'app')
    const s = db.transaction('').objectStore('')
    expect(Array.from(s.indexNames)).toEqual(['', '\u0000'])
    expect(await done(s.index('').getKey('object_4'))).toBe(4)
    expect(await done(s.index('\u0000').getAllKeys(idb.IDBKeyRange.lowerBound('object_3')))).toEqual([3, 4])
    await factory.close()
  })
})
