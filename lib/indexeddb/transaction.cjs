'use strict'

// IDBTransaction (spec §4.9) and its engine room. A transaction's requests
// are issued to the native transaction as they are made (the native side
// runs its calls in order, so several are in flight at once) and their
// events fire in request order, each in a task of its own so that the
// microtasks a handler queues still see the transaction active.

const { IDBEventTarget, IDBEvent, defineHandlers, dispatch, hasListeners, newEventTarget, kParent } = require('./events.cjs')
const { domError, fromNative } = require('./errors.cjs')
const { newRequest, settleSuccess, settleError } = require('./request.cjs')
const { endOfTask, queueTask } = require('./tasks.cjs')
const { stringList } = require('./string-list.cjs')

const BUSY = require('../binding.cjs').constants.errorCodes.BUSY
const kCore = Symbol('flowdb.idb.core')
// Puts sent in one native putValues call at most: a bulk insert is written
// while it is being placed, and the clones' bytes die young.
const BATCH_LIMIT = 512
const kConstruct = Symbol('flowdb.idb.transaction')

/**
 * The state of one transaction: lifecycle (active, inactive, committing,
 * finished), the native transaction once started, the requests whose events
 * are still to fire, and the operations not yet issued.
 */
class TxnCore {
  constructor (conn, scope, mode, durability) {
    this.conn = conn // the connection core (database.cjs)
    this.scope = scope // sorted store names ([] for versionchange: every store)
    this.mode = mode
    this.durability = durability
    this.state = 'active'
    this.started = false
    this.native = null
    this.requests = [] // records { request, settled, ok, value, onSettle }
    this.issueQueue = [] // { op, rec, barrier, write }
    this.barrierBusy = false
    this.internalPending = 0
    this.writeSeq = 0 // writes issued so far: cursors drop chunks read before a write
    this.gens = new Map() // store name → { next }: key generator numbers known in this transaction
    this.error = null
    this.handles = new Map() // store name → IDBObjectStore
    this.dispatchScheduled = false
    this.waiting = false // a dispatched event's task has not ended yet
    this.commitIssued = false
    this.onFinish = [] // (committed) => void
    this.batch = [] // putValue calls not yet sent: sent together (native putValues)
    this.flushQueued = false
    this.txn = new IDBTransaction(kConstruct, this)
    endOfTask(() => this.deactivate())
  }

  get finished () { return this.state === 'finished' }

  /** Throws TransactionInactiveError unless the transaction is active. */
  assertActive () {
    if (this.state !== 'active') {
      throw domError('TransactionInactiveError', 'The transaction is not active.')
    }
  }

  /** Throws ReadOnlyError for a write in a readonly transaction. */
  assertWritable () {
    if (this.mode === 'readonly') throw domError('ReadOnlyError', 'The transaction is read-only.')
  }

  deactivate () {
    if (this.state === 'active') this.state = 'inactive'
    this.maybeAutoCommit()
  }

  /** Starts the native transaction (called by the scheduler in its turn). */
  start () {
    if (this.finished) return
    try {
      const versionchange = this.mode === 'versionchange'
      this.native = this.mode === 'readonly'
        ? new ReadonlyNative(this)
        : this.conn.native.begin(versionchange ? [] : this.scope, false, versionchange)
    } catch (err) {
      this.abort(fromNative(err))
      return
    }
    this.started = true
    this.pump()
    this.maybeAutoCommit()
  }

  /**
   * Places a request (spec "asynchronously execute a request"): `op(native)`
   * returns the result or a Promise of it and runs when the operations
   * before it were issued. `barrier` (or a function deciding it at issue
   * time): later operations wait until it settles (it needs a native
   * answer before it can issue its writes). `batched`: the operation makes
   * no native call other than core.putValue().
   * `request` reuses a cursor's request.
   */
  request (source, op, { write = false, barrier = false, request = null, onSettle = null, batched = false } = {}) {
    const req = request || newRequest(source, this.txn)
    const rec = { request: req, settled: false, ok: true, value: undefined, onSettle }
    this.requests.push(rec)
    this.issue({ op, put: null, noteKey: false, rec, barrier, write, batched })
    return req
  }

  /**
   * Places a write whose native putValue arguments are all known now
   * (`put`: [store, bytes, key, indexEntries, noOverwrite]): it joins the
   * batch when its turn comes, and its request's result is the key.
   * `noteKey`: the key updates the store's key generator at issue time.
   */
  requestPut (source, put, noteKey) {
    const req = newRequest(source, this.txn)
    const rec = { request: req, settled: false, ok: true, value: undefined, onSettle: null }
    this.requests.push(rec)
    this.issue({ op: null, put, noteKey, rec, barrier: false, write: true, batched: true })
    return req
  }

  /** An operation without a request (schema changes); its failure aborts the transaction. */
  internal (op, { barrier = false, write = true } = {}) {
    this.internalPending++
    this.issue({ op, put: null, noteKey: false, rec: null, barrier, write, batched: false })
  }

  issue (item) {
    this.issueQueue.push(item)
    this.pump()
  }

  pump () {
    while (this.started && !this.finished && !this.barrierBusy && this.issueQueue.length > 0) {
      const item = this.issueQueue.shift()
      if (item.write) this.writeSeq++
      if (item.put !== null) {
        // A write with its arguments known: no promise of its own; flush() settles it.
        if (item.noteKey) this.noteExplicitKey(item.put[0], item.put[2])
        this.queueBatched(item)
        continue
      }
      // Batched operations only call putValue(); any other keeps the native order by sending the batch first.
      if (!item.batched) this.flush()
      // A barrier may depend on state known only now (a key generator number learnt meanwhile).
      const barrier = typeof item.barrier === 'function' ? item.barrier() : item.barrier
      let r
      try {
        r = item.op(this.native, this)
      } catch (err) {
        r = Promise.reject(err)
      }
      if (r !== null && typeof r === 'object' && typeof r.then === 'function') {
        if (barrier) {
          this.barrierBusy = true
          item.barrier = true
        } else {
          item.barrier = false
        }
        r.then((v) => this.settle(item, true, v), (e) => this.settle(item, false, e))
      } else {
        this.settle(item, true, r)
      }
    }
  }

  /**
   * A native putValue in this transaction's order, sent with the others
   * placed in the same task as one native putValues call (one worker trip
   * for a bulk insert). Resolves when written; rejects with its own error.
   */
  putValue (store, bytes, key, entries, noOverwrite) {
    return new Promise((resolve, reject) => {
      this.queueBatched({ put: [store, bytes, key, entries, noOverwrite], resolve, reject })
    })
  }

  // Adds an entry to the batch sent at the end of this microtask turn, or
  // at once when it holds BATCH_LIMIT puts: an issue queue item (settled by
  // flush) or { put, resolve, reject }.
  queueBatched (entry) {
    if (!this.flushQueued) {
      this.flushQueued = true
      queueMicrotask(() => {
        this.flushQueued = false
        this.flush()
      })
    }
    this.batch.push(entry)
    if (this.batch.length >= BATCH_LIMIT) this.flush()
  }

  /** Sends the batched putValue calls (before any other native call). */
  flush () {
    const b = this.batch
    if (b.length === 0 || this.native === null) return
    this.batch = []
    const puts = new Array(b.length)
    for (let i = 0; i < b.length; i++) puts[i] = b[i].put
    let p
    try {
      p = this.native.putValues(puts)
    } catch (err) {
      p = Promise.reject(err)
    }
    // The native call copied the values and index keys: the garbage
    // collector may take them now, not only once the batch is written.
    for (let i = 0; i < puts.length; i++) {
      puts[i][1] = null
      puts[i][3] = null
    }
    p.then((errors) => {
      for (let i = 0; i < b.length; i++) this.settleBatched(b[i], errors[i] === null, errors[i])
    }, (err) => {
      for (const x of b) this.settleBatched(x, false, err)
    })
  }

  // The outcome of one batched put: an issue queue item's request gets the
  // key as its result; a putValue() caller's promise settles.
  settleBatched (x, ok, err) {
    if (x.resolve === undefined) this.settle(x, ok, ok ? x.put[2] : err)
    else if (ok) x.resolve()
    else x.reject(err)
  }

  settle (item, ok, value) {
    if (item.barrier && this.barrierBusy) {
      this.barrierBusy = false
      queueMicrotask(() => this.pump())
    }
    if (this.finished) return
    const rec = item.rec
    if (rec === null) {
      this.internalPending--
      if (!ok) this.abort(fromNative(value))
      else this.maybeAutoCommit()
      return
    }
    rec.settled = true
    rec.ok = ok
    rec.value = ok ? value : fromNative(value)
    this.scheduleDispatch()
  }

  scheduleDispatch () {
    if (this.dispatchScheduled || this.waiting) return
    if (this.requests.length === 0 || !this.requests[0].settled) return
    this.dispatchScheduled = true
    // The dispatch task and the end of that task are queued together, so
    // they run in the same turn of the loop (microtasks between them),
    // before any timer.
    const end = { fn: null }
    queueTask(() => {
      this.dispatchScheduled = false
      this.dispatchReady(end)
    })
    queueTask(() => { if (end.fn !== null) end.fn() })
  }

  // Fires the events of the settled requests at the head of the queue;
  // stops after one that has listeners until its task (and microtasks) end.
  dispatchReady (end = null) {
    while (!this.finished && this.requests.length > 0 && this.requests[0].settled) {
      const rec = this.requests.shift()
      const req = rec.request
      if (rec.ok) settleSuccess(req, rec.value)
      else settleError(req, rec.value)
      if (rec.onSettle) rec.onSettle(rec.ok)
      const type = rec.ok ? 'success' : 'error'
      if (!hasListeners(req, type, !rec.ok)) {
        if (!rec.ok) {
          this.abort(rec.value)
          return
        }
        continue
      }
      // The end of this task is armed before the handlers run, so that it
      // comes before any timeout they set; the next event fires in a task
      // of its own.
      let outcome
      this.waiting = true
      const cont = () => {
        this.waiting = false
        if (this.state === 'active') this.state = 'inactive'
        // After commit() an exception in a handler no longer aborts.
        if (outcome.threw && this.state !== 'committing') this.abort(domError('AbortError', 'An event handler threw an exception.'))
        else if (!rec.ok && outcome.notCanceled) this.abort(rec.value)
        else {
          this.scheduleDispatch()
          this.maybeAutoCommit()
        }
      }
      if (end !== null) end.fn = cont
      else endOfTask(cont)
      if (this.state === 'inactive') this.state = 'active'
      outcome = dispatch(req, new IDBEvent(type, { bubbles: !rec.ok, cancelable: !rec.ok }))
      return
    }
    this.maybeAutoCommit()
  }

  idle () {
    return this.requests.length === 0 && this.issueQueue.length === 0 && this.internalPending === 0 &&
      !this.waiting && !this.barrierBusy
  }

  maybeAutoCommit () {
    if (this.commitIssued || this.finished || !this.started) return
    if (this.state !== 'inactive' && this.state !== 'committing') return
    if (!this.idle()) return
    this.commitIssued = true
    this.state = 'committing'
    if (this.mode === 'readonly' || this.writeSeq === 0) {
      // Nothing to write: end the native transaction without a worker trip.
      this.native.abort()
      queueTask(() => this.complete())
      return
    }
    this.flush()
    let committing
    try {
      committing = this.native.commit()
    } catch (err) {
      committing = Promise.reject(err) // the store was closed under the transaction
    }
    committing.then(
      () => this.complete(),
      (err) => {
        this.commitIssued = false
        this.abort(fromNative(err))
      }
    )
  }

  complete () {
    if (this.finished) return
    this.state = 'finished'
    this.native = null
    this.releaseUpgrade()
    dispatch(this.txn, new IDBEvent('complete'))
    this.finish(true)
  }

  // An upgrade stops being its connection's upgrade transaction as its
  // complete or abort event fires (schema calls then throw InvalidStateError).
  releaseUpgrade () {
    if (this.conn.upgrade === this) this.conn.upgrade = null
  }

  finish (committed) {
    for (const fn of this.onFinish.splice(0)) fn(committed)
  }

  /**
   * Spec "abort a transaction" with `error` (null for abort()): drops the
   * native transaction and its writes, then fires `error` at each pending
   * request and `abort` at the transaction.
   */
  abort (error) {
    if (this.finished || this.commitIssued) return
    this.state = 'finished'
    this.error = error
    if (this.native !== null) this.native.abort()
    this.native = null
    const pending = this.requests
    this.requests = []
    this.issueQueue = []
    this.conn.transactionAborted(this)
    queueTask(() => {
      for (const rec of pending) {
        settleError(rec.request, domError('AbortError', 'The transaction was aborted.'))
        if (rec.onSettle) rec.onSettle(false)
        dispatch(rec.request, new IDBEvent('error', { bubbles: true, cancelable: true }))
      }
      this.releaseUpgrade()
      dispatch(this.txn, new IDBEvent('abort', { bubbles: true }))
      this.finish(false)
    })
  }

  /** The IDBObjectStore of this transaction named `name` (one object per name). */
  storeHandle (name) {
    let h = this.handles.get(name)
    if (h === undefined) {
      const meta = this.conn.schema.get(name)
      if (meta === undefined) return null
      h = this.conn.factory.makeStore(meta, this)
      this.handles.set(name, h)
    }
    return h
  }

  /**
   * A key from the key generator of store `name` (spec "generate a key"):
   * a number when this transaction already knows the generator's next
   * number, else a Promise of one (a native round trip; callers treat it as
   * a barrier).
   */
  generateKey (name) {
    const g = this.gens.get(name)
    if (g !== undefined) {
      if (g.next > 2 ** 53) throw domError('ConstraintError', 'The key generator is exhausted.')
      return g.next++
    }
    return this.native.generateKey(name).then((k) => {
      this.gens.set(name, { next: k + 1 })
      return k
    })
  }

  /** Spec "possibly update the key generator" for an explicit key of store `name`. */
  noteExplicitKey (name, key) {
    const g = this.gens.get(name)
    if (g !== undefined && typeof key === 'number' && key >= g.next) {
      // Past 2^53 the next number is not representable: the generator is spent.
      g.next = key >= 2 ** 53 ? Infinity : Math.floor(key) + 1
    }
  }
}

/**
 * The native side of a readonly transaction. Its reads go to the database
 * itself, each in a native transaction of its own, while no other
 * transaction of the database has a request whose event is still to fire
 * and no open or delete request is being handled; otherwise (and from then
 * on) to a native transaction begun then. Both see what one snapshot taken
 * at the start would: while a readonly transaction runs, the scheduler
 * starts no readwrite or upgrade transaction whose scope overlaps its own,
 * so the records it can read do not change. The database's reads answer on
 * the JS thread when the data is in memory, where a native transaction's
 * take a worker trip each; with other requests about, whose events must
 * keep following the order the requests were placed in, reads keep the
 * native transaction's timing.
 */
class ReadonlyNative {
  constructor (core) {
    this.core = core
    this.txn = null // the native transaction, once begun
  }

  // The database while its reads may answer at once, else the native transaction.
  target () {
    if (this.txn !== null) return this.txn
    const conn = this.core.conn
    const entry = conn.entry
    if (!entry.running && this.othersQuiet(entry.txns)) return conn.native
    this.txn = conn.native.begin(this.core.scope, true, false)
    return this.txn
  }

  // Whether no other unfinished transaction of the database has a request
  // whose event is still to fire.
  othersQuiet (txns) {
    for (let i = 0; i < txns.length; i++) {
      const t = txns[i]
      if (t !== this.core && !t.finished && (t.requests.length > 0 || t.issueQueue.length > 0)) return false
    }
    return true
  }

  /** A value by key: its bytes, undefined, or a Promise of either. */
  pointValue (store, key) {
    const t = this.target()
    if (t !== this.txn) return t.getValue(store, null, key)
    try {
      return t.getValueSync(store, null, key)
    } catch (err) {
      if (!err || err.code !== BUSY) throw err
    }
    return t.getValue(store, null, key)
  }

  getValue (store, index, key, range) { return this.target().getValue(store, index, key, range) }
  getKey (store, index, key, range) { return this.target().getKey(store, index, key, range) }
  getAllKeys (store, index, range, count, direction) { return this.target().getAllKeys(store, index, range, count, direction) }
  getAllValues (store, index, range, count, direction) { return this.target().getAllValues(store, index, range, count, direction) }
  count (store, index, range) { return this.target().count(store, index, range) }
  // A cursor on the database holds a native transaction of its own: cursor.cjs closes it when this transaction finishes.
  cursor (store, index, range, direction, values, keyOnly) { return this.target().cursor(store, index, range, direction, values, keyOnly) }

  abort () {
    if (this.txn !== null) this.txn.abort()
  }
}

/** IDBTransaction: a transaction over a scope of object stores. */
class IDBTransaction extends IDBEventTarget {
  constructor (token, core) {
    if (token !== kConstruct) throw new TypeError('Illegal constructor')
    const self = newEventTarget(new.target)
    self[kCore] = core
    self[kParent] = core.conn.db
    return self
  }

  /** The scope's store names (for an upgrade transaction, every store of the connection). */
  get objectStoreNames () {
    const core = this[kCore]
    return core.mode === 'versionchange' ? stringList(core.conn.schema.keys()) : stringList(core.scope)
  }

  /** 'readonly', 'readwrite' or 'versionchange'. */
  get mode () { return this[kCore].mode }
  /** The durability hint given: 'default', 'strict' or 'relaxed'. */
  get durability () { return this[kCore].durability }
  /** The connection (IDBDatabase) the transaction belongs to. */
  get db () { return this[kCore].conn.db }
  /** The error that aborted the transaction, or null. */
  get error () { return this[kCore].error }

  /**
   * Spec objectStore(name): the store in scope named `name`. Throws
   * InvalidStateError once finished, NotFoundError when not in scope.
   */
  objectStore (name) {
    if (arguments.length < 1) throw new TypeError('objectStore requires 1 argument')
    const core = this[kCore]
    if (core.finished) throw domError('InvalidStateError', 'The transaction has finished.')
    name = String(name)
    const inScope = core.mode === 'versionchange' ? core.conn.schema.has(name) : core.scope.includes(name)
    const h = inScope ? core.storeHandle(name) : null
    if (h === null) throw domError('NotFoundError', `No object store named '${name}' in this transaction.`)
    return h
  }

  /** Spec commit(): commits once the placed requests are done. InvalidStateError unless active. */
  commit () {
    const core = this[kCore]
    if (core.state !== 'active') throw domError('InvalidStateError', 'The transaction is not active.')
    core.state = 'committing'
    core.maybeAutoCommit()
  }

  /** Spec abort(): drops every change. InvalidStateError when committing or finished. */
  abort () {
    const core = this[kCore]
    if (core.state === 'committing' || core.state === 'finished') {
      throw domError('InvalidStateError', 'The transaction is committing or finished.')
    }
    core.abort(null)
  }

  get [Symbol.toStringTag] () { return 'IDBTransaction' }
}
defineHandlers(IDBTransaction.prototype, ['abort', 'complete', 'error'])

module.exports = { IDBTransaction, TxnCore, kCore }
