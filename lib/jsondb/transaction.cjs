'use strict'

// Transaction: a snapshot-isolated, optimistic transaction over a set of
// object stores (see index.d.ts). The native transaction holds the snapshot,
// the read set and the pending writes; this class enforces the scope, the
// mode and the state, and is what close() aborts when the program left it
// open. runTransaction() is db.transaction(stores, mode, fn, { retries }).

const { FlowDBError } = require('../errors.cjs')
const { errorCodes } = require('../binding.cjs').constants
const validate = require('../validate.cjs')
const { kAbort } = require('../lifecycle.cjs')
const { DocStore } = require('./store.cjs')

const kConstruct = Symbol('flowdb.transaction.construct')

// Aborts the native transaction of a Transaction the program dropped
// unfinished (its snapshot would otherwise pin old versions until close).
const transactionRegistry = new FinalizationRegistry((native) => {
  try {
    native.abort()
  } catch {
    // The database is closed: nothing left to release.
  }
})

class Transaction {
  #native
  #life
  #mode
  #stores
  #state = 'active'
  #ctx

  constructor (token, native, life, stores, mode) {
    if (token !== kConstruct) throw new TypeError('Use db.transaction(stores, mode) to start a transaction')
    this.#native = native
    this.#life = life
    this.#stores = Object.freeze(stores)
    this.#mode = mode
    const inactive = (method) => new FlowDBError(
      `Cannot call ${method}(): the transaction is ${this.#state}`, errorCodes.TRANSACTION_INACTIVE)
    const call = { native, owner: life, end: () => life.settled() }
    this.#ctx = {
      begin: (method, write) => {
        life.checkOpen(method)
        if (this.#state !== 'active') throw inactive(method)
        if (write && this.#mode === 'readonly') {
          throw new FlowDBError(`Cannot call ${method}() in a readonly transaction`, errorCodes.READ_ONLY)
        }
        life.begin()
        return call
      }
    }
    life.register(this)
    transactionRegistry.register(this, native, this)
  }

  static create (native, life, stores, mode) {
    return new Transaction(kConstruct, native, life, stores, mode)
  }

  /** 'readonly' or 'readwrite'. */
  get mode () { return this.#mode }
  /** The stores in scope. */
  get objectStoreNames () { return this.#stores }
  /** 'active', 'committed' or 'aborted'. */
  get state () { return this.#state }

  /** A store in the transaction's scope (FLOWDB_NOT_FOUND otherwise). */
  store (name) {
    validate.string(name, 'store name')
    if (!this.#stores.includes(name)) {
      throw new FlowDBError(`Object store '${name}' is not in this transaction's scope`, errorCodes.NOT_FOUND)
    }
    return DocStore.create(this.#ctx, name)
  }

  /**
   * Validates and applies the writes as one atomic batch, after the calls
   * already made (they run in order). Rejects with FLOWDB_CONFLICT (and
   * nothing is applied) when something the transaction read changed since
   * it started. Later calls fail with FLOWDB_TRANSACTION_INACTIVE.
   */
  async commit () {
    this.#life.checkOpen('commit')
    if (this.#state !== 'active') {
      throw new FlowDBError(`Cannot call commit(): the transaction is ${this.#state}`, errorCodes.TRANSACTION_INACTIVE)
    }
    this.#finish('committed')
    try {
      await this.#life.track(this.#native.commit())
    } catch (err) {
      this.#state = 'aborted'
      throw err
    }
  }

  /** Drops the writes and releases the snapshot. Idempotent; a no-op after commit. */
  abort () {
    if (this.#state !== 'active') return
    this.#finish('aborted')
    this.#native.abort()
  }

  // close() of the database aborts a transaction left open.
  [kAbort] () {
    this.abort()
  }

  #finish (state) {
    this.#state = state
    this.#life.release(this)
    transactionRegistry.unregister(this)
  }
}

const TRANSACTION_OPTIONS = new Set(['retries'])

/**
 * Runs `fn(tx)` in a transaction from `begin()`: commits when it resolves,
 * aborts when it throws, and on FLOWDB_CONFLICT (from commit or from fn)
 * runs it again in a new transaction, up to `retries` times.
 */
async function runTransaction (begin, fn, options) {
  const o = validate.optionsObject(options, 'transaction() options')
  validate.checkKnownKeys(o, TRANSACTION_OPTIONS, 'transaction() options')
  const retries = o.retries === undefined ? 0 : validate.integer(o.retries, 'transaction() options.retries', 0, 1000)
  for (let attempt = 0; ; attempt++) {
    const tx = begin()
    try {
      const result = await fn(tx)
      if (tx.state === 'active') await tx.commit()
      return result
    } catch (err) {
      tx.abort()
      if (attempt < retries && err instanceof FlowDBError && err.code === errorCodes.CONFLICT) continue
      throw err
    }
  }
}

module.exports = { Transaction, runTransaction }
