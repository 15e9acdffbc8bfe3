// flowdb/auto and the module entry points: the globals fake-indexeddb/auto
// installs, as ES module and CommonJS.

import { describe, it, expect } from 'vitest'
import { createRequire } from 'node:module'
import { done, open } from './helpers.js'

const require = createRequire(import.meta.url)

describe('flowdb/auto and flowdb/indexeddb', () => {
  it('install the IndexedDB globals over an in-memory factory', async () => {
    await import('flowdb/auto')
    const esm = await import('flowdb/indexeddb')
    const cjs = require('flowdb/indexeddb')
    expect(esm.IDBFactory).toBe(cjs.IDBFactory)
    for (const name of ['IDBCursor', 'IDBCursorWithValue', 'IDBDatabase', 'IDBFactory', 'IDBIndex', 'IDBKeyRange',
      'IDBObjectStore', 'IDBOpenDBRequest', 'IDBRequest', 'IDBTransaction', 'IDBVersionChangeEvent']) {
      expect(globalThis[name]).toBe(cjs[name])
    }
    expect(globalThis.indexedDB).toBe(cjs.indexedDB)
    const db = await open(globalThis.indexedDB, 'auto-test', 1, (db) => db.createObjectStore('s'))
    await done(db.transaction('s', 'readwrite').objectStore('s').put('v', 1))
    expect(await done(db.transaction('s').objectStore('s').get(1))).toBe('v')
    db.close()
    // A fresh factory is a clean state.
    globalThis.indexedDB = new globalThis.IDBFactory()
    expect(await globalThis.indexedDB.databases()).toEqual([])
  })

  it('keeps the interface objects unconstructible', () => {
    const cjs = require('flowdb/indexeddb')
    for (const name of ['IDBDatabase', 'IDBTransaction', 'IDBObjectStore', 'IDBRequest', 'IDBCursor', 'IDBKeyRange']) {
      expect(() => new cjs[name]()).toThrow(TypeError)
    }
  })
})
