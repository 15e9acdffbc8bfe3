// The native front door the IndexedDB facade builds on: several named
// databases with versions in one directory, and object stores of opaque
// values (v8.serialize output) whose primary and index keys the caller
// computes, through the native JsonDB / DocTransaction / DocCursor objects.

import { describe, it, expect } from 'vitest'
import { createRequire } from 'node:module'
import { serialize, deserialize } from 'node:v8'
import { tempPath } from '../helpers/tmp.js'
import { codeOf } from '../helpers/code-of.js'

const require = createRequire(import.meta.url)
const binding = require('../../lib/binding.cjs')
const { resolveOpenOptions, nativeOpenOptions } = require('../../lib/options.cjs')
const { errorCodes } = binding.constants

function open (options) {
  const resolved = resolveOpenOptions(options)
  return binding.openJsonDB(resolved.path ?? '', nativeOpenOptions(resolved))
}

async function cursorAll (cursor) {
  const out = []
  for (;;) {
    const chunk = await cursor.nextv(2, 1 << 20)
    const pks = chunk.primaryKeys ?? chunk.keys // left out when equal to keys
    for (let i = 0; i < chunk.count; i++) out.push({ key: chunk.keys[i], primaryKey: pks[i], value: deserialize(chunk.values[i]) })
    if (chunk.done) break
  }
  return out
}

describe('several databases in one directory', () => {
  it('keeps databases, versions and values apart across a reopen', async () => {
    const path = tempPath()
    let root = await open({ path })
    expect(await root.databases()).toEqual([])
    const a = root.database('alpha')
    const b = root.database('b\ud800eta') // a lone surrogate stays part of the name
    expect(a.name()).toBe('alpha')
    expect(b.name()).toBe('b\ud800eta')
    expect(a.version()).toBe(0)
    await a.setVersion(2)
    expect(await codeOf(a.setVersion(2))).toBe(errorCodes.INVALID_ARGUMENT)
    await b.setVersion(5)
    await a.createObjectStore('s', null, false, true)
    await b.createObjectStore('s', null, false, true)
    await a.putValue('s', serialize({ from: 'a', when: new Date(5) }), 1, [], false)
    await b.putValue('s', serialize(new Map([['from', 'b']])), 1, [], false)
    expect(root.schema()).toEqual([])
    await root.close()

    root = await open({ path })
    expect(await root.databases()).toEqual([{ name: 'alpha', version: 2 }, { name: 'b\ud800eta', version: 5 }])
    const a2 = root.database('alpha')
    const b2 = root.database('b\ud800eta')
    expect(a2.version()).toBe(2)
    expect(a2.schema()).toEqual([{ name: 's', keyPath: null, autoIncrement: false, opaqueValues: true, indexes: [] }])
    expect(deserialize(await a2.getValue('s', null, 1))).toEqual({ from: 'a', when: new Date(5) })
    expect(deserialize(await b2.getValue('s', null, 1))).toEqual(new Map([['from', 'b']]))
    expect(root.database('').schema()).toEqual([])

    await root.deleteDatabase('alpha')
    expect(await codeOf(root.deleteDatabase('alpha'))).toBe(errorCodes.NOT_FOUND)
    expect(a2.version()).toBe(0)
    expect(a2.schema()).toEqual([])
    expect(await root.databases()).toEqual([{ name: 'b\ud800eta', version: 5 }])
    expect(deserialize(await b2.getValue('s', null, 1))).toEqual(new Map([['from', 'b']]))
    await root.close()
  })

  it('keeps store and index names that differ only in lone surrogates apart', async () => {
    const root = await open({ inMemory: true })
    const db = root.database('n')
    await db.createObjectStore('s\ud800', null, false, true)
    await db.createObjectStore('s\udc00', null, false, true)
    await db.createObjectStore('s\ud83d\ude00', null, false, true) // a pair stays one character
    await db.createObjectStore('s\ufffd', null, false, true) // U+FFFD is not a lone surrogate's stand-in
    await db.createIndex('s\ud800', 'i\udfff', 'x', false, false)
    expect(db.schema().map((s) => s.name)).toEqual(['s\ud800', 's\udc00', 's\ufffd', 's\ud83d\ude00'])
    expect(db.schema()[0].indexes[0].name).toBe('i\udfff')
    await db.putValue('s\ud800', serialize('a'), 1, [['i\udfff', [1]]], false)
    expect(await db.count('s\udc00', null, null)).toBe(0)
    expect(await db.count('s\ud800', 'i\udfff', null)).toBe(1)
    const c = db.cursor('s\ud800', 'i\udfff', null, 'next', true)
    const chunk = await c.nextv(5, 1 << 20)
    expect(Array.from(chunk.primaryKeys ?? chunk.keys)).toEqual([1]) // left out when equal to keys
    await root.close()
  })

  it('rejects bad names and versions with TypeError / RangeError', async () => {
    const root = await open({ inMemory: true })
    expect(() => root.database(5)).toThrow(TypeError)
    expect(await codeOf(() => root.deleteDatabase(null))).toBe('TypeError')
    expect(await codeOf(() => root.setVersion(-1))).toMatch(/TypeError|RangeError/)
    expect(await codeOf(() => root.setVersion(1.5))).toMatch(/TypeError|RangeError/)
    await root.close()
  })
})

describe('opaque-value object stores', () => {
  async function booksDb () {
    const root = await open({ inMemory: true })
    const db = root.database('library')
    await db.setVersion(1)
    await db.createObjectStore('books', null, true, true)
    await db.createIndex('books', 'byIsbn', 'isbn', true, false)
    await db.createIndex('books', 'byTag', 'tags', false, true)
    return { root, db }
  }

  it('puts, gets, counts, deletes and walks values with index maintenance', async () => {
    const { root, db } = await booksDb()
    const txn = db.begin(['books'], false)
    const k1 = await txn.generateKey('books')
    expect(k1).toBe(1)
    const book1 = { isbn: '111', tags: ['a', 'b'], bytes: new Uint8Array([0, 255]) }
    expect(await txn.putValue('books', serialize(book1), k1, [['byIsbn', ['111']], ['byTag', ['a', 'b']]], true)).toBe(1)
    await txn.putValue('books', serialize({ isbn: '222', tags: ['b'] }), 10, [['byIsbn', ['222']], ['byTag', ['b']]], true)
    expect(await txn.generateKey('books')).toBe(11) // raised by the explicit key 10
    expect(await codeOf(txn.putValue('books', serialize({}), 10, [], true))).toBe(errorCodes.CONSTRAINT)
    expect(await codeOf(txn.putValue('books', serialize({}), 12, [['byIsbn', ['111']]], false))).toBe(errorCodes.CONSTRAINT)
    await txn.commit()

    expect(deserialize(await db.getValue('books', null, 1))).toEqual(book1)
    expect(await db.getValue('books', null, 99)).toBeUndefined()
    expect((await db.getAllValues('books', null, null, -1, 'next')).map((b) => deserialize(b).isbn)).toEqual(['111', '222'])
    expect(Array.from(await db.getAllKeys('books', 'byTag', null, -1, 'next'))).toEqual([1, 1, 10])
    expect(await db.count('books', 'byTag', { lower: 'b', upper: 'b', lowerOpen: false, upperOpen: false })).toBe(2)
    expect(deserialize(await db.getValue('books', 'byIsbn', undefined, { lower: '222', upper: '222', lowerOpen: false, upperOpen: false })).tags).toEqual(['b'])

    // Overwrite: old entries go.
    await db.putValue('books', serialize({ isbn: '333', tags: [] }), 1, [['byIsbn', ['333']]], false)
    expect(Array.from(await db.getAllKeys('books', 'byTag', null, -1, 'next'))).toEqual([10])
    expect(Array.from(await db.getAllKeys('books', 'byIsbn', null, -1, 'next'))).toEqual([10, 1])

    // A cursor over an index with values as Buffers, in reverse.
    const walked = await cursorAll(db.cursor('books', 'byIsbn', null, 'prev', true))
    expect(walked.map((r) => [r.key, r.primaryKey, r.value.isbn])).toEqual([['333', 1, '333'], ['222', 10, '222']])

    // continue(key) and continuePrimaryKey(key, primaryKey) as seeks of
    // the next chunk; a keys-only cursor reads no value.
    await db.putValue('books', serialize({ isbn: '444', tags: ['b'] }), 20, [['byTag', ['b']]], false)
    await db.putValue('books', serialize({ isbn: '555', tags: ['b', 'z'] }), 30, [['byTag', ['b', 'z']]], false)
    const c = db.cursor('books', 'byTag', null, 'next', false, true)
    let chunk = await c.nextv(1, 1 << 20)
    expect([Array.from(chunk.keys), Array.from(chunk.primaryKeys)]).toEqual([['b'], [10]])
    chunk = await c.nextv(1, 1 << 20, 'b', 25)
    expect([Array.from(chunk.keys), Array.from(chunk.primaryKeys), chunk.values]).toEqual([['b'], [30], '[]'])
    chunk = await c.nextv(5, 1 << 20, 'c')
    expect([Array.from(chunk.keys), Array.from(chunk.primaryKeys), chunk.done]).toEqual([['z'], [30], true])
    const back = db.cursor('books', null, null, 'next', true)
    await back.nextv(1, 1 << 20)
    expect(await codeOf(back.nextv(1, 1 << 20, 0))).toBe(errorCodes.INVALID_ARGUMENT) // behind the cursor
    back.close()
    await db.delete('books', 20)
    await db.delete('books', 30)

    await db.delete('books', 10)
    expect(await db.count('books', 'byIsbn', null)).toBe(1)
    expect(await db.count('books', 'byTag', null)).toBe(0)
    await db.clear('books')
    expect(await db.count('books', null, null)).toBe(0)
    expect(await db.count('books', 'byIsbn', null)).toBe(0)
    await root.close()
  })

  it('reverts the key generator with an aborted transaction', async () => {
    const { root, db } = await booksDb()
    const t1 = db.begin(['books'], false)
    expect(await t1.generateKey('books')).toBe(1)
    await t1.raiseKeyGenerator('books', 100)
    t1.abort()
    const t2 = db.begin(['books'], false)
    expect(await t2.generateKey('books')).toBe(1)
    await t2.putValue('books', serialize({ n: 1 }), 1, [], true)
    // A read on the JS thread sees the transaction's own write.
    expect(deserialize(t2.getValueSync('books', null, 1))).toEqual({ n: 1 })
    expect(t2.getValueSync('books', null, 2)).toBeUndefined()
    const pending = t2.putValue('books', serialize({ n: 2 }), 2, [], true)
    expect(() => t2.getValueSync('books', null, 2)).toThrow(expect.objectContaining({ code: errorCodes.BUSY }))
    await pending
    await t2.commit()
    const t3 = db.begin(['books'], false)
    expect(await t3.generateKey('books')).toBe(3) // the explicit key 2 raised it
    await t3.commit()
    await root.close()
  })

  it('makes concurrent writers of one unique key conflict', async () => {
    const { root, db } = await booksDb()
    const a = db.begin(['books'], false)
    const b = db.begin(['books'], false)
    await a.putValue('books', serialize(1), 1, [['byIsbn', ['x']]], false)
    await b.putValue('books', serialize(2), 2, [['byIsbn', ['x']]], false)
    await a.commit()
    expect(await codeOf(b.commit())).toBe(errorCodes.CONFLICT)
    expect(await db.count('books', null, null)).toBe(1)
    await root.close()
  })

  it('refuses JSON-only operations on opaque stores and bad arguments', async () => {
    const { root, db } = await booksDb()
    expect(await codeOf(db.put('books', '{"isbn":"1"}', 1, false))).toBe(errorCodes.INVALID_ARGUMENT)
    const query = { where: [{ path: 'title', op: 'eq', value: 'x' }], orderBy: null, offset: 0, limit: Infinity }
    expect(await codeOf(db.query('books', query, 0))).toBe(errorCodes.INVALID_ARGUMENT)
    expect(await codeOf(() => db.putValue('books', 'not bytes', 1, [], false))).toBe('TypeError')
    expect(await codeOf(() => db.putValue('books', serialize(1), NaN, [], false))).toBe(errorCodes.INVALID_KEY)
    expect(await codeOf(() => db.putValue('books', serialize(1), 1, [['byTag']], false))).toBe('TypeError')
    expect(await codeOf(() => db.putValue('books', serialize(1), 1, [['byTag', [{}]]], false))).toBe(errorCodes.INVALID_KEY)
    expect(await codeOf(db.putValue('books', serialize(1), 1, [['nope', [1]]], false))).toBe(errorCodes.NOT_FOUND)
    expect(await codeOf(() => db.raiseKeyGenerator('books', 'x'))).toBe('TypeError')
    await db.createObjectStore('json', 'id', false)
    expect(await codeOf(db.putValue('json', serialize(1), 1, [], false))).toBe(errorCodes.INVALID_ARGUMENT)
    expect(await codeOf(db.generateKey('json'))).toBe(errorCodes.INVALID_ARGUMENT)
    await root.close()
  })
})

describe('versionchange transactions', () => {
  it('commit schema, version and data together, or nothing on abort', async () => {
    const path = tempPath()
    let root = await open({ path })
    const db = root.database('app')
    const up = db.begin([], false, true)
    await up.setVersion(1)
    await up.createObjectStore('items', 'id', false, true)
    await up.createIndex('items', 'byName', 'name', true, false)
    await up.putValue('items', serialize({ id: 1, name: 'a' }), 1, [['byName', ['a']]], true)
    expect(await up.schema()).toEqual({
      version: 1,
      stores: [{ name: 'items', keyPath: 'id', autoIncrement: false, opaqueValues: true, indexes: [{ name: 'byName', keyPath: 'name', unique: true, multiEntry: false }] }]
    })
    expect(db.version()).toBe(0)
    await up.commit()
    expect(db.version()).toBe(1)

    // An upgrade that adds an index, fills it by writing the value again,
    // renames the store, and aborts: nothing of it stays.
    const before = db.schema()
    const up2 = db.begin([], false, true)
    await up2.setVersion(2)
    await up2.createIndex('items', 'byLen', 'len', false, false)
    await up2.putValue('items', serialize({ id: 1, name: 'a', len: 1 }), 1, [['byName', ['a']], ['byLen', [1]]], false)
    await up2.renameObjectStore('items', 'things')
    expect(deserialize(await up2.getValue('things', null, 1)).len).toBe(1)
    up2.abort()
    expect(db.version()).toBe(1)
    expect(db.schema()).toEqual(before)
    expect(deserialize(await db.getValue('items', null, 1))).toEqual({ id: 1, name: 'a' })

    // Schema calls outside a versionchange transaction are refused.
    const plain = db.begin(['items'], false)
    expect(await codeOf(plain.createObjectStore('x', null, false, true))).toBe(errorCodes.INVALID_ARGUMENT)
    expect(await codeOf(() => plain.createIndex('items', 'i', 5, false, false))).toBe('TypeError')
    plain.abort()
    expect(await codeOf(() => db.begin(['items'], false, true))).toBe(errorCodes.INVALID_ARGUMENT)

    await root.close()
    root = await open({ path })
    expect(await root.databases()).toEqual([{ name: 'app', version: 1 }])
    expect(root.database('app').schema()[0].indexes.map((i) => i.name)).toEqual(['byName'])
    await root.close()
  })
})
