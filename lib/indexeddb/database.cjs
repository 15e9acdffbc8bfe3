'use strict'

// IDBDatabase (spec §4.4): a connection to a named database, and the
// connection's state behind it (version, schema as this connection sees
// it, its transactions, close pending / closed).

const { IDBEventTarget, defineHandlers, kParent } = require('./events.cjs')
const { domError } = require('./errors.cjs')
const { toKeyPath, indexNameFromNative } = require('./keys.cjs')
const { stringList } = require('./string-list.cjs')
const { TxnCore } = require('./transaction.cjs')

const kConn = Symbol('flowdb.idb.connection')
const kConstruct = Symbol('flowdb.idb.database')

// The connection's schema from the native schema() list: store name →
// { name, keyPath, autoIncrement, indexes: name → { name, keyPath, unique, multiEntry } }.
function schemaFrom (list) {
  const schema = new Map()
  for (const s of list) {
    const indexes = new Map()
    for (const i of s.indexes) {
      const name = indexNameFromNative(i.name)
      indexes.set(name, { name, keyPath: i.keyPath, unique: i.unique, multiEntry: i.multiEntry, deleted: false })
    }
    schema.set(s.name, { name: s.name, keyPath: s.keyPath, autoIncrement: s.autoIncrement, indexes, deleted: false })
  }
  return schema
}

/** One connection: the state IDBDatabase and its transactions share. */
class ConnCore {
  constructor (factory, entry, native, version) {
    this.factory = factory // the factory core (factory.cjs)
    this.entry = entry // the factory's record of this database name
    this.name = entry.name
    this.native = native // the native named database
    this.version = version
    this.schema = schemaFrom(native.schema())
    this.txns = new Set() // unfinished transactions
    this.closePending = false
    this.closed = false
    this.upgrade = null // the running upgrade transaction core
    this.db = new IDBDatabase(kConstruct, this)
  }

  /** Renames a store in this connection's schema (upgrade transactions). */
  renameStore (from, to) {
    const meta = this.schema.get(from)
    this.schema.delete(from)
    meta.name = to
    this.schema.set(to, meta)
  }

  /** A transaction of this connection was aborted: an upgrade's schema and version revert. */
  transactionAborted (core) {
    if (core.mode !== 'versionchange') return
    const saved = core.savedSchema
    for (const meta of this.schema.values()) {
      const copy = saved.get(meta)
      for (const imeta of meta.indexes.values()) {
        if (copy === undefined || !copy.indexNames.some(([i]) => i === imeta)) imeta.deleted = true
      }
      if (copy === undefined) meta.deleted = true
    }
    this.schema = new Map()
    for (const [meta, copy] of saved) {
      meta.name = copy.name
      meta.deleted = false
      meta.indexes = copy.indexes
      for (const [imeta, name] of copy.indexNames) {
        imeta.name = name
        imeta.deleted = false
      }
      this.schema.set(meta.name, meta)
    }
    this.version = core.oldVersion
  }

  /** Starts a transaction core on this connection (registered with the scheduler). */
  begin (scope, mode, durability) {
    const core = new TxnCore(this, scope, mode, durability)
    this.txns.add(core)
    core.onFinish.push(() => {
      this.txns.delete(core)
      this.entry.transactionFinished(core)
      this.maybeClosed()
    })
    this.entry.addTransaction(core)
    return core
  }

  /** Spec "close a database connection": closed once its transactions finish. */
  close () {
    this.closePending = true
    this.maybeClosed()
  }

  maybeClosed () {
    if (this.closed || !this.closePending || this.txns.size > 0) return
    this.closed = true
    this.entry.connectionClosed(this)
  }
}

/** IDBDatabase: a connection to a database. */
class IDBDatabase extends IDBEventTarget {
  constructor (token, conn) {
    if (token !== kConstruct) throw new TypeError('Illegal constructor')
    super()
    this[kConn] = conn
    this[kParent] = null // the end of the event path
  }

  /** The database name. */
  get name () { return this[kConn].name }
  /** The version of the database as this connection sees it. */
  get version () { return this[kConn].version }
  /** The names of the object stores. */
  get objectStoreNames () { return stringList(this[kConn].schema.keys()) }

  #upgradeCore () {
    const core = this[kConn].upgrade
    // The upgrade stays the connection's until it finished (an aborted one
    // until its abort event was fired): inactive, not absent, until then.
    if (core === null) throw domError('InvalidStateError', 'Not inside an upgrade transaction.')
    core.assertActive()
    return core
  }

  /**
   * Spec createObjectStore(name, { keyPath, autoIncrement }): upgrade
   * transactions only. ConstraintError when the name exists, SyntaxError for
   * a bad key path, InvalidAccessError for autoIncrement with an empty or
   * array key path.
   */
  createObjectStore (name, options = {}) {
    if (arguments.length < 1) throw new TypeError('createObjectStore requires 1 argument')
    name = String(name)
    const core = this.#upgradeCore()
    const conn = this[kConn]
    const keyPath = toKeyPath(options?.keyPath)
    const autoIncrement = Boolean(options?.autoIncrement)
    if (conn.schema.has(name)) throw domError('ConstraintError', `An object store named '${name}' exists.`)
    if (autoIncrement && (keyPath === '' || Array.isArray(keyPath))) {
      throw domError('InvalidAccessError', 'autoIncrement needs no key path or a non-empty string key path.')
    }
    const meta = { name, keyPath, autoIncrement, indexes: new Map(), deleted: false }
    conn.schema.set(name, meta)
    core.internal((native) => {
      core.gens.delete(name) // a new store has a new key generator (in issue order)
      return native.createObjectStore(name, keyPath, autoIncrement, true)
    })
    return core.storeHandle(name)
  }

  /** Spec deleteObjectStore(name): upgrade transactions only. NotFoundError when none. */
  deleteObjectStore (name) {
    if (arguments.length < 1) throw new TypeError('deleteObjectStore requires 1 argument')
    name = String(name)
    const core = this.#upgradeCore()
    const conn = this[kConn]
    const meta = conn.schema.get(name)
    if (meta === undefined) throw domError('NotFoundError', `No object store named '${name}'.`)
    meta.deleted = true
    for (const imeta of meta.indexes.values()) imeta.deleted = true
    conn.schema.delete(name)
    core.handles.delete(name)
    core.internal((native) => {
      core.gens.delete(name)
      return native.deleteObjectStore(name)
    })
  }

  /**
   * Spec transaction(storeNames, mode, { durability }): a new transaction.
   * InvalidStateError while an upgrade runs or after close(), NotFoundError
   * for an unknown store, InvalidAccessError for an empty scope, TypeError
   * for a bad mode or durability.
   */
  transaction (storeNames, mode = 'readonly', options = {}) {
    if (arguments.length < 1) throw new TypeError('transaction requires 1 argument')
    const conn = this[kConn]
    if (conn.upgrade !== null && !conn.upgrade.finished) {
      throw domError('InvalidStateError', 'An upgrade transaction is running.')
    }
    if (conn.closePending) throw domError('InvalidStateError', 'The connection is closing or closed.')
    const names = typeof storeNames === 'string' ? [storeNames] : Array.from(storeNames, String)
    const scope = Array.from(new Set(names)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    for (const n of scope) {
      if (!conn.schema.has(n)) throw domError('NotFoundError', `No object store named '${n}'.`)
    }
    if (scope.length === 0) throw domError('InvalidAccessError', 'The scope is empty.')
    if (mode !== 'readonly' && mode !== 'readwrite') {
      throw new TypeError(`'${mode}' is not a valid transaction mode`)
    }
    const durability = options?.durability ?? 'default'
    if (!['default', 'strict', 'relaxed'].includes(durability)) {
      throw new TypeError(`'${durability}' is not a valid durability`)
    }
    return conn.begin(scope, mode, durability).txn
  }

  /** Spec close(): the connection closes once its transactions finish. */
  close () {
    this[kConn].close()
  }

  get [Symbol.toStringTag] () { return 'IDBDatabase' }
}
defineHandlers(IDBDatabase.prototype, ['abort', 'close', 'error', 'versionchange'])

module.exports = { IDBDatabase, ConnCore, kConn }
