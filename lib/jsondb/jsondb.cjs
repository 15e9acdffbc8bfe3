'use strict'

// JsonDB: the JS face of one open document database (see index.d.ts). It
// checks arguments, turns documents into JSON text and results back, and
// owns the lifecycle (lifecycle.cjs): calls in flight are counted so that
// close() waits for them, and open cursors and transactions are ended first.

const binding = require('../binding.cjs')
const validate = require('../validate.cjs')
const { resolveOpenOptions, nativeOpenOptions } = require('../options.cjs')
const { Lifecycle } = require('../lifecycle.cjs')
const schema = require('./schema.cjs')
const { DocStore } = require('./store.cjs')
const { Transaction, runTransaction } = require('./transaction.cjs')

// Engine options that do not apply to documents (they are JSON, keyed by
// IndexedDB keys, and never expire).
const ENGINE_ONLY_OPTIONS = ['keyEncoding', 'valueEncoding', 'timestampType', 'defaultTtl', 'ttlBasis']
const MODES = ['readonly', 'readwrite']

const kConstruct = Symbol('flowdb.jsondb.construct')

class JsonDB {
  #native
  #life = new Lifecycle('database')
  #ctx

  /** Opens (creating if allowed) a document database. See index.d.ts for the options. */
  static async open (options) {
    if (options === undefined) throw new TypeError('JsonDB.open() needs an options object with a path (or inMemory: true)')
    const given = validate.optionsObject(options, 'options')
    for (const name of ENGINE_ONLY_OPTIONS) {
      if (given[name] !== undefined) throw new TypeError(`options.${name} does not apply to JsonDB`)
    }
    const resolved = resolveOpenOptions(given, 'JsonDB.open()')
    const native = await binding.openJsonDB(resolved.path, nativeOpenOptions(resolved))
    return new JsonDB(kConstruct, native)
  }

  constructor (token, native) {
    if (token !== kConstruct) throw new TypeError('Use JsonDB.open(options) to open a document database')
    this.#native = native
    const life = this.#life
    const call = { native, owner: life, end: () => life.settled() }
    this.#ctx = {
      begin: (method) => {
        life.checkOpen(method)
        life.begin()
        return call
      }
    }
  }

  /** 'open' | 'closing' | 'closed' */
  get status () {
    return this.#life.status
  }

  /** The names of the object stores, sorted. */
  get objectStoreNames () {
    this.#life.checkOpen('objectStoreNames')
    return this.#schema().map((s) => s.name)
  }

  /** The stores and their indexes as the catalog keeps them. */
  schema () {
    this.#life.checkOpen('schema')
    return this.#schema()
  }

  #schema () {
    return this.#native.schema()
  }

  // --- schema changes -------------------------------------------------------

  async createObjectStore (name, options) {
    this.#life.checkOpen('createObjectStore')
    schema.name(name, 'store name')
    const { keyPath, autoIncrement } = schema.storeOptions(options, 'createObjectStore()')
    await this.#life.track(this.#native.createObjectStore(name, keyPath, autoIncrement))
  }

  async deleteObjectStore (name) {
    this.#life.checkOpen('deleteObjectStore')
    schema.name(name, 'store name')
    await this.#life.track(this.#native.deleteObjectStore(name))
  }

  async createIndex (store, name, keyPath, options) {
    this.#life.checkOpen('createIndex')
    schema.name(store, 'store name')
    schema.name(name, 'index name')
    const kp = schema.keyPath(keyPath, 'keyPath')
    const { unique, multiEntry } = schema.indexOptions(options, kp, 'createIndex()')
    await this.#life.track(this.#native.createIndex(store, name, kp, unique, multiEntry))
  }

  async deleteIndex (store, name) {
    this.#life.checkOpen('deleteIndex')
    schema.name(store, 'store name')
    schema.name(name, 'index name')
    await this.#life.track(this.#native.deleteIndex(store, name))
  }

  async applySchema (stores) {
    this.#life.checkOpen('applySchema')
    const declared = schema.schemaDeclaration(stores)
    return this.#life.track(this.#native.applySchema(declared))
  }

  // --- data -----------------------------------------------------------------

  /** A store whose every call is its own transaction. */
  store (name) {
    this.#life.checkOpen('store')
    return DocStore.create(this.#ctx, name)
  }

  /**
   * transaction(stores, mode) → Transaction; transaction(stores, mode, fn,
   * { retries }) → Promise of fn's result (see runTransaction).
   */
  transaction (stores, mode = 'readonly', fn, options) {
    this.#life.checkOpen('transaction')
    const names = typeof stores === 'string' ? [stores] : stores
    if (!Array.isArray(names)) throw new TypeError(`stores must be a store name or an array of names, got ${validate.describe(stores)}`)
    names.forEach((n, i) => schema.name(n, `stores[${i}]`))
    validate.oneOf(mode, 'mode', MODES)
    const scope = [...new Set(names)].sort()
    const begin = () => {
      this.#life.checkOpen('transaction')
      return Transaction.create(this.#native.begin(scope, mode === 'readonly'), this.#life, scope, mode)
    }
    if (fn === undefined) {
      if (options !== undefined) throw new TypeError('transaction() options need a function')
      return begin()
    }
    if (typeof fn !== 'function') throw new TypeError(`transaction() fn must be a function, got ${validate.describe(fn)}`)
    return runTransaction(begin, fn, options)
  }

  // --- backups --------------------------------------------------------------

  /**
   * Writes a consistent copy of the whole directory (every store and named
   * database) into `dir` while writes go on; it opens as a JsonDB. Resolves
   * to { sequence }. See Engine.checkpoint in index.d.ts.
   */
  async checkpoint (dir) {
    this.#life.checkOpen('checkpoint')
    const target = validate.directory(dir, 'checkpoint() dir')
    return this.#life.track(this.#native.checkpoint(target))
  }

  // --- lifecycle ------------------------------------------------------------

  /**
   * Aborts open transactions, ends open cursors, waits for calls in flight,
   * then closes. Idempotent: every call returns the same Promise.
   */
  close () {
    return this.#life.close(() => this.#native.close())
  }

  [Symbol.asyncDispose] () {
    return this.close()
  }
}

module.exports = { JsonDB }
