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

describe('WebIDL shape', () => {
  it('gives the interface objects the prototype chain, enumerable members and lengths of the IDL', () => {
    const i = require('flowdb/indexeddb')
    expect(Object.getPrototypeOf(i.IDBRequest)).toBe(EventTarget)
    expect(Object.getPrototypeOf(i.IDBOpenDBRequest)).toBe(i.IDBRequest)
    expect(Object.getPrototypeOf(i.IDBTransaction.prototype)).toBe(EventTarget.prototype)
    expect(Object.getPrototypeOf(i.IDBVersionChangeEvent)).toBe(Event)
    expect(Object.getOwnPropertyDescriptor(i.IDBObjectStore.prototype, 'put').enumerable).toBe(true)
    expect(Object.getOwnPropertyDescriptor(i.IDBRequest.prototype, 'result').enumerable).toBe(true)
    expect(Object.getOwnPropertyDescriptor(i.IDBKeyRange, 'bound').enumerable).toBe(true)
    expect([i.IDBObjectStore.prototype.put.length, i.IDBObjectStore.prototype.getAll.length, i.IDBKeyRange.bound.length, i.IDBCursor.prototype.continue.length])
      .toEqual([1, 0, 2, 0])
    expect(i.IDBVersionChangeEvent.length).toBe(1)
    expect(Object.getOwnPropertyDescriptor(i.IDBRequest.prototype, 'onsuccess').get.name).toBe('get onsuccess')
    expect(() => i.IDBRequest.prototype.onsuccess).toThrow(TypeError)
    const e = new i.IDBVersionChangeEvent('versionchange', { oldVersion: 1, newVersion: 2 })
    expect([e instanceof Event, e.oldVersion, e.newVersion, e.target]).toEqual([true, 1, 2, null])
  })
})
