'use strict'

// IDBObjectStore (spec §4.5) over a native opaque-value store: values are
// structured clones (v8.serialize bytes) and the primary and index keys are
// computed here, from the clone, then handed to the native store.

const { domError } = require('./errors.cjs')
const { valueToKey, extractKey, indexKeysOf, canInjectKey, injectKey, toKeyPath, nativeIndexName, FAILURE, INVALID } = require('./keys.cjs')
const { extractKeyFromBytes, UNKNOWN } = require('./clone-keys.cjs')
const { toKeyRange, isOnly } = require('./key-range.cjs')
const { serializeValue, cloneOf, storedBytes, deserializeValue, indexEntries, toDirection, getAllArgs } = require('./values.cjs')
const { stringList } = require('./string-list.cjs')
const { openCursor } = require('./cursor.cjs')
const { readValue, readAll } = require('./reads.cjs')
const { IDBIndex } = require('./idb-index.cjs')

const kConstruct = Symbol('flowdb.idb.store')

/** IDBObjectStore: one object store as seen by one transaction. */
class IDBObjectStore {
  #meta
  #core
  #indexes = new Map() // name → IDBIndex of this handle
  #keyPath
  #indexSnapshot = null // outside upgrades: the indexes, which cannot change then

  constructor (token, meta, core) {
    if (token !== kConstruct) throw new TypeError('Illegal constructor')
    this.#meta = meta
    this.#core = core
    this.#keyPath = Array.isArray(meta.keyPath) ? meta.keyPath.slice() : meta.keyPath
  }

  /** The store's name; setting it renames the store (upgrade transactions only). */
  get name () { return this.#meta.name }
  set name (value) {
    const name = String(value)
    const core = this.#core
    this.#checkSchemaChange()
    if (name === this.#meta.name) return
    if (core.conn.schema.has(name)) throw domError('ConstraintError', `An object store named '${name}' exists.`)
    const old = this.#meta.name
    core.conn.renameStore(old, name)
    core.handles.delete(old)
    core.handles.set(name, this)
    core.internal((native) => {
      // The key generator numbers known follow the store (in issue order).
      const g = core.gens.get(old)
      core.gens.delete(old)
      if (g !== undefined) core.gens.set(name, g)
      return native.renameObjectStore(old, name)
    })
  }

  /** The key path (a string, an array of strings) or null. */
  get keyPath () { return this.#keyPath }
  /** The names of the store's indexes. */
  get indexNames () { return stringList(this.#meta.deleted ? [] : this.#meta.indexes.keys()) }
  /** The transaction this handle belongs to. */
  get transaction () { return this.#core.txn }
  /** Whether the store has a key generator. */
  get autoIncrement () { return this.#meta.autoIncrement }

  #checkSchemaChange () {
    const core = this.#core
    if (core.mode !== 'versionchange' || this.#meta.deleted) {
      throw domError('InvalidStateError', 'Not in an upgrade transaction, or the store was deleted.')
    }
    core.assertActive()
  }

  #checkRead () {
    if (this.#meta.deleted) throw domError('InvalidStateError', 'The object store was deleted.')
    this.#core.assertActive()
  }

  #checkWrite () {
    this.#checkRead()
    this.#core.assertWritable()
  }

  /** Spec put(value, key): writes, replacing a record with the same key. Result: the key. */
  put (value, key) {
    if (arguments.length < 1) throw new TypeError('put requires 1 argument')
    return this.#addOrPut(value, key, false, this)
  }

  /** Spec add(value, key): as put, but ConstraintError when the key exists. */
  add (value, key) {
    if (arguments.length < 1) throw new TypeError('add requires 1 argument')
    return this.#addOrPut(value, key, true, this)
  }

  // Spec "add or put" (also cursor.update() through storePut). `source`:
  // the request's source (this store, or a cursor); `given`: the value
  // already serialized by the caller (cursor.update() checks its key first).
  #addOrPut (value, key, noOverwrite, source, given = null) {
    this.#checkWrite()
    const meta = this.#meta
    const core = this.#core
    const keyPath = meta.keyPath
    if (keyPath !== null && key !== undefined) {
      throw domError('DataError', 'The store uses in-line keys and a key was given.')
    }
    if (keyPath === null && !meta.autoIncrement && key === undefined) {
      throw domError('DataError', 'The store uses out-of-line keys and has no key generator, and no key was given.')
    }
    if (key !== undefined) key = valueToKey(key)
    // The clone is made while the transaction is inactive (getters that
    // try to use it fail).
    let serialized = given
    if (serialized === null) {
      core.state = 'inactive'
      try {
        serialized = serializeValue(value)
      } finally {
        core.state = 'active'
      }
    }
    // The indexes as they are now (a later rename in the same upgrade must
    // not change the names this write uses).
    let indexes = this.#indexSnapshot
    if (indexes === null) {
      indexes = Array.from(meta.indexes.values(), snapshotIndex)
      if (core.mode !== 'versionchange') this.#indexSnapshot = indexes
    }
    // Values with Blobs are stored once their bytes were read: later requests wait.
    const hasBlobs = serialized.blobs.length > 0
    // Keys are read from the clone's bytes where they can be, else from
    // the deserialized clone (made at most once).
    let clone = null
    const cloned = () => (clone === null ? (clone = cloneOf(serialized)) : clone)
    if (keyPath !== null) {
      let k = hasBlobs ? UNKNOWN : extractKeyFromBytes(serialized.bytes, keyPath)
      if (k === UNKNOWN) k = extractKey(cloned(), keyPath)
      if (k === INVALID) throw domError('DataError', 'The key path yields no valid key.')
      if (k === FAILURE) {
        if (!meta.autoIncrement) throw domError('DataError', 'The value has no key at the key path.')
        if (!canInjectKey(cloned(), keyPath)) throw domError('DataError', 'The key cannot be injected into the value.')
      } else {
        key = k
      }
    }
    const store = meta.name
    if (key !== undefined && !hasBlobs) {
      // Every argument of the native write is known now.
      const entries = indexes.length === 0 ? [] : indexEntriesOf(serialized.bytes, cloned, indexes)
      return core.requestPut(source, [store, serialized.bytes, key, entries, noOverwrite], meta.autoIncrement)
    }
    if (keyPath !== null || indexes.length > 0) cloned()
    const write = (native, k, generated) => {
      let bytes = storedBytes(serialized)
      if (generated && keyPath !== null) {
        injectKey(clone, k, keyPath)
        bytes = storedBytes(serializeValue(clone))
      }
      const entries = clone === null ? [] : indexEntries(clone, indexes)
      const p = typeof bytes.then === 'function'
        ? bytes.then((b) => core.putValue(store, b, k, entries, noOverwrite)).then(() => k)
        : core.putValue(store, bytes, k, entries, noOverwrite).then(() => k)
      if (!generated) return p
      // A refused write leaves the key generator as it was (no later key
      // was generated: such writes are barriers, see below).
      return p.catch((err) => {
        const g = core.gens.get(store)
        if (g !== undefined && g.next === k + 1) g.next = k
        throw err
      })
    }
    if (key !== undefined) {
      const k = key
      return core.request(source, (native) => {
        if (meta.autoIncrement) core.noteExplicitKey(store, k)
        return write(native, k, false)
      }, { write: true, batched: true, barrier: hasBlobs })
    }
    // Only a unique index can refuse a write with a generated key; then the
    // next key may depend on the outcome, and later requests wait for it.
    const mayFail = indexes.some((i) => i.unique)
    return core.request(source, (native) => {
      if (!core.gens.has(store)) core.flush() // generateKey goes native after the batched writes
      const g = core.generateKey(store)
      return typeof g === 'number' ? write(native, g, true) : g.then((k) => write(native, k, true))
    }, { write: true, barrier: () => hasBlobs || mayFail || !core.gens.has(store), batched: true })
  }

  /** Spec delete(query): deletes the records in a key or key range. */
  delete (query) {
    if (arguments.length < 1) throw new TypeError('delete requires 1 argument')
    return this.storeDelete(query, this)
  }

  /** delete() with the request's source given (a cursor's delete()). */
  storeDelete (query, source) {
    this.#checkWrite()
    const range = toKeyRange(query, true)
    const store = this.#meta.name
    return this.#core.request(source, (native) => {
      const p = isOnly(range) ? native.delete(store, range.lower) : native.delete(store, undefined, range)
      return p.then(() => undefined)
    }, { write: true })
  }

  /**
   * put() of a value serialized by the caller (serializeValue), with the
   * request's source given (a cursor's update()).
   */
  storePut (serialized, key, source) {
    return this.#addOrPut(undefined, this.#meta.keyPath === null ? key : undefined, false, source, serialized)
  }

  /** Spec clear(): deletes every record. */
  clear () {
    this.#checkWrite()
    const store = this.#meta.name
    return this.#core.request(this, (native) => native.clear(store).then(() => undefined), { write: true })
  }

  /** Spec get(query): the value of the first record in the key or range, or undefined. */
  get (query) {
    if (arguments.length < 1) throw new TypeError('get requires 1 argument')
    this.#checkRead()
    const range = toKeyRange(query, true)
    const store = this.#meta.name
    return this.#core.request(this, (native) => readValue(native, store, null, range))
  }

  /** Spec getKey(query): the key of the first record in the key or range, or undefined. */
  getKey (query) {
    if (arguments.length < 1) throw new TypeError('getKey requires 1 argument')
    this.#checkRead()
    const range = toKeyRange(query, true)
    const store = this.#meta.name
    return this.#core.request(this, (native) => native.getKey(store, null, undefined, range))
  }

  /** Spec getAll(queryOrOptions, count): the values in key order (count 0: all). */
  getAll (queryOrOptions, count) {
    this.#checkRead()
    const a = getAllArgs(queryOrOptions, count)
    return this.#core.request(this, (native) => readAll(native, this.#meta.name, null, a, 'values'))
  }

  /** Spec getAllKeys(queryOrOptions, count): the keys in order. */
  getAllKeys (queryOrOptions, count) {
    this.#checkRead()
    const a = getAllArgs(queryOrOptions, count)
    return this.#core.request(this, (native) => readAll(native, this.#meta.name, null, a, 'keys'))
  }

  /** getAllRecords(options): { key, primaryKey, value } records (IndexedDB 3.0 draft). */
  getAllRecords (options) {
    this.#checkRead()
    const a = getAllArgs(options, undefined, true)
    return this.#core.request(this, (native) => readAll(native, this.#meta.name, null, a, 'records'))
  }

  /** Spec count(query): the number of records in the key or range. */
  count (query) {
    this.#checkRead()
    const range = toKeyRange(query)
    const store = this.#meta.name
    return this.#core.request(this, (native) => native.count(store, null, range))
  }

  /** Spec openCursor(query, direction): a request whose result is an IDBCursorWithValue or null. */
  openCursor (query, direction) {
    this.#checkRead()
    return openCursor(this.#core, this, this.#meta, null, toKeyRange(query), toDirection(direction), false)
  }

  /** Spec openKeyCursor(query, direction): an IDBCursor over keys only, or null. */
  openKeyCursor (query, direction) {
    this.#checkRead()
    return openCursor(this.#core, this, this.#meta, null, toKeyRange(query), toDirection(direction), true)
  }

  /** Spec index(name): the index named `name`. NotFoundError when none. */
  index (name) {
    if (arguments.length < 1) throw new TypeError('index requires 1 argument')
    name = String(name)
    if (this.#meta.deleted || this.#core.finished) {
      throw domError('InvalidStateError', 'The store was deleted or the transaction has finished.')
    }
    const imeta = this.#meta.indexes.get(name)
    if (imeta === undefined) throw domError('NotFoundError', `No index named '${name}'.`)
    let h = this.#indexes.get(imeta)
    if (h === undefined) {
      h = new IDBIndex(imeta, this.#meta, this, this.#core)
      this.#indexes.set(imeta, h)
    }
    return h
  }

  /**
   * Spec createIndex(name, keyPath, options): upgrade transactions only.
   * Existing values are indexed (ConstraintError aborts the upgrade when a
   * unique index would hold one key twice).
   */
  createIndex (name, keyPath, options = {}) {
    if (arguments.length < 2) throw new TypeError('createIndex requires 2 arguments')
    name = String(name)
    this.#checkSchemaChange()
    const meta = this.#meta
    if (meta.indexes.has(name)) throw domError('ConstraintError', `An index named '${name}' exists.`)
    const path = toKeyPath(keyPath)
    if (path === null) throw domError('SyntaxError', 'The key path is not valid.')
    const unique = Boolean(options && options.unique)
    const multiEntry = Boolean(options && options.multiEntry)
    if (Array.isArray(path) && multiEntry) {
      throw domError('InvalidAccessError', 'A multiEntry index cannot have an array key path.')
    }
    const imeta = { name, keyPath: path, unique, multiEntry, deleted: false }
    meta.indexes.set(name, imeta)
    const store = meta.name
    const all = Array.from(meta.indexes.values(), snapshotIndex)
    this.#core.internal(async (native) => {
      await native.createIndex(store, nativeIndexName(name), path, unique, multiEntry)
      // The native store does not read opaque values: write each again
      // with the keys of every index (the new one included).
      const [keys, values] = await Promise.all([
        native.getAllKeys(store, null, null, -1, 'next'),
        native.getAllValues(store, null, null, -1, 'next')
      ])
      const writes = []
      for (let i = 0; i < values.length; i++) {
        const entries = indexEntries(deserializeValue(values[i]), all)
        if (entries.some(([n]) => n === nativeIndexName(name))) writes.push(native.putValue(store, values[i], keys[i], entries, false))
      }
      await Promise.all(writes)
    }, { barrier: true })
    return this.index(name)
  }

  /** Spec deleteIndex(name): upgrade transactions only. NotFoundError when none. */
  deleteIndex (name) {
    if (arguments.length < 1) throw new TypeError('deleteIndex requires 1 argument')
    name = String(name)
    this.#checkSchemaChange()
    const meta = this.#meta
    const imeta = meta.indexes.get(name)
    if (imeta === undefined) throw domError('NotFoundError', `No index named '${name}'.`)
    imeta.deleted = true
    meta.indexes.delete(name)
    this.#indexes.delete(imeta)
    const store = meta.name
    this.#core.internal((native) => native.deleteIndex(store, nativeIndexName(name)))
  }

  get [Symbol.toStringTag] () { return 'IDBObjectStore' }
}

// The native putValue index argument for a value without blobs: each
// index's keys read from the clone's bytes, or from the deserialized clone
// (`cloned()` makes it once) where the bytes reader cannot answer.
function indexEntriesOf (bytes, cloned, indexes) {
  const out = []
  for (const index of indexes) {
    let keys
    const k = extractKeyFromBytes(bytes, index.keyPath)
    if (k === UNKNOWN) keys = indexKeysOf(cloned(), index.keyPath, index.multiEntry)
    else keys = k === FAILURE || k === INVALID ? [] : [k]
    if (keys.length > 0) out.push([nativeIndexName(index.name), keys])
  }
  return out
}

// An index definition as of now (names change on rename).
function snapshotIndex (i) {
  return { name: i.name, keyPath: i.keyPath, unique: i.unique, multiEntry: i.multiEntry }
}

/** Makes the IDBObjectStore of `meta` for transaction core `core`. */
function makeStore (meta, core) {
  return new IDBObjectStore(kConstruct, meta, core)
}

module.exports = { IDBObjectStore, makeStore }
