'use strict'

// IDBIndex (spec §4.6): reads of one index of an object store, as seen by
// one transaction; results are the referenced records (values or primary
// keys) in index key order.

const { domError } = require('./errors.cjs')
const { toKeyRange } = require('./key-range.cjs')
const { toDirection, getAllArgs } = require('./values.cjs')
const { readValue, readAll } = require('./reads.cjs')
const { openCursor } = require('./cursor.cjs')
const { nativeIndexName } = require('./keys.cjs')

/** IDBIndex: an index handle of one IDBObjectStore handle. */
class IDBIndex {
  #meta
  #storeMeta
  #store
  #core
  #keyPath

  /** (internal) Made by IDBObjectStore.index() / createIndex(). */
  constructor (meta, storeMeta, store, core) {
    if (core === undefined) throw new TypeError('Illegal constructor')
    this.#meta = meta
    this.#storeMeta = storeMeta
    this.#store = store
    this.#core = core
    this.#keyPath = Array.isArray(meta.keyPath) ? meta.keyPath.slice() : meta.keyPath
  }

  /** The index name; setting it renames the index (upgrade transactions only). */
  get name () { return this.#meta.name }
  set name (value) {
    const name = String(value)
    const core = this.#core
    if (core.mode !== 'versionchange' || this.#meta.deleted || this.#storeMeta.deleted) {
      throw domError('InvalidStateError', 'Not in an upgrade transaction, or the index was deleted.')
    }
    core.assertActive()
    const old = this.#meta.name
    if (name === old) return
    const indexes = this.#storeMeta.indexes
    if (indexes.has(name)) throw domError('ConstraintError', `An index named '${name}' exists.`)
    indexes.delete(old)
    this.#meta.name = name
    indexes.set(name, this.#meta)
    const store = this.#storeMeta.name
    core.internal((native) => native.renameIndex(store, nativeIndexName(old), nativeIndexName(name)))
  }

  /** The IDBObjectStore handle the index belongs to. */
  get objectStore () { return this.#store }
  /** The key path (a string or an array of strings). */
  get keyPath () { return this.#keyPath }
  /** Whether two records may not share a key. */
  get multiEntry () { return this.#meta.multiEntry }
  /** Whether an array key gives one entry per element. */
  get unique () { return this.#meta.unique }

  #checkRead () {
    if (this.#meta.deleted || this.#storeMeta.deleted) {
      throw domError('InvalidStateError', 'The index or its object store was deleted.')
    }
    this.#core.assertActive()
  }

  /** Spec get(query): the value of the first record in the key or range. */
  get (query) {
    if (arguments.length < 1) throw new TypeError('get requires 1 argument')
    this.#checkRead()
    const range = toKeyRange(query, true)
    const store = this.#storeMeta.name
    const index = nativeIndexName(this.#meta.name)
    return this.#core.request(this, (native) => readValue(native, store, index, range))
  }

  /** Spec getKey(query): the primary key of the first record in the key or range. */
  getKey (query) {
    if (arguments.length < 1) throw new TypeError('getKey requires 1 argument')
    this.#checkRead()
    const range = toKeyRange(query, true)
    const store = this.#storeMeta.name
    const index = nativeIndexName(this.#meta.name)
    return this.#core.request(this, (native) => native.getKey(store, index, undefined, range))
  }

  /** Spec getAll(queryOrOptions, count): values in index key order. */
  getAll (queryOrOptions, count) {
    this.#checkRead()
    const a = getAllArgs(queryOrOptions, count)
    const store = this.#storeMeta.name
    const index = nativeIndexName(this.#meta.name)
    return this.#core.request(this, (native) => readAll(native, store, index, a, 'values'))
  }

  /** Spec getAllKeys(queryOrOptions, count): primary keys in index key order. */
  getAllKeys (queryOrOptions, count) {
    this.#checkRead()
    const a = getAllArgs(queryOrOptions, count)
    const store = this.#storeMeta.name
    const index = nativeIndexName(this.#meta.name)
    return this.#core.request(this, (native) => readAll(native, store, index, a, 'keys'))
  }

  /** getAllRecords(options): { key, primaryKey, value } records (IndexedDB 3.0 draft). */
  getAllRecords (options) {
    this.#checkRead()
    const a = getAllArgs(options, undefined, true)
    const store = this.#storeMeta.name
    const index = nativeIndexName(this.#meta.name)
    return this.#core.request(this, (native) => readAll(native, store, index, a, 'records'))
  }

  /** Spec count(query): the number of index entries in the key or range. */
  count (query) {
    this.#checkRead()
    const range = toKeyRange(query)
    const store = this.#storeMeta.name
    const index = nativeIndexName(this.#meta.name)
    return this.#core.request(this, (native) => native.count(store, index, range))
  }

  /** Spec openCursor(query, direction): an IDBCursorWithValue over the index, or null. */
  openCursor (query, direction) {
    this.#checkRead()
    return openCursor(this.#core, this, this.#storeMeta, this.#meta, toKeyRange(query), toDirection(direction), false)
  }

  /** Spec openKeyCursor(query, direction): an IDBCursor over the index's keys, or null. */
  openKeyCursor (query, direction) {
    this.#checkRead()
    return openCursor(this.#core, this, this.#storeMeta, this.#meta, toKeyRange(query), toDirection(direction), true)
  }

  get [Symbol.toStringTag] () { return 'IDBIndex' }
}

module.exports = { IDBIndex }
