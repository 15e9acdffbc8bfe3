'use strict'

// IDBFactory (spec §4.7): open, deleteDatabase, databases and cmp over one
// native root (a FlowDB directory, or memory) holding every database of the
// factory. Per database name the factory keeps the queue of open and
// delete requests (run one at a time, spec "connection queue"), the open
// connections, and the transaction scheduler: a readwrite transaction
// starts after every earlier unfinished transaction whose scope overlaps
// its own, a readonly one after earlier overlapping readwrite ones, an
// upgrade transaction alone.

const binding = require('../binding.cjs')
const { resolveOpenOptions, nativeOpenOptions } = require('../options.cjs')
const { dispatch } = require('./events.cjs')
const { IDBEvent, IDBVersionChangeEvent } = require('./events.cjs')
const { domError, fromNative } = require('./errors.cjs')
const { valueToKey, cmp } = require('./keys.cjs')
const { newOpenRequest, setRequestTransaction, settleSuccess, settleError } = require('./request.cjs')
const { queueTask, endOfTask } = require('./tasks.cjs')
const { ConnCore } = require('./database.cjs')
const { makeStore } = require('./object-store.cjs')

const NOT_FOUND = binding.constants.errorCodes.NOT_FOUND

function overlaps (a, b) {
  for (const n of a) if (b.includes(n)) return true
  return false
}

function nextTask () {
  return new Promise((resolve) => queueTask(resolve))
}

/** The factory's record of one database name. */
class DbEntry {
  constructor (factory, name) {
    this.factory = factory
    this.name = name
    this.native = null
    this.queue = [] // open / delete jobs, run in order
    this.running = false
    this.connections = new Set()
    this.txns = [] // unfinished transactions in creation order
    this.closeWaiters = []
  }

  addTransaction (core) {
    this.txns.push(core)
    this.schedule()
  }

  transactionFinished (core) {
    const i = this.txns.indexOf(core)
    if (i >= 0) this.txns.splice(i, 1)
    this.schedule()
  }

  schedule () {
    for (let i = 0; i < this.txns.length; i++) {
      const t = this.txns[i]
      if (t.started || t.finished) continue
      let blocked = false
      for (let j = 0; j < i && !blocked; j++) {
        const u = this.txns[j]
        if (u.finished) continue
        blocked = t.mode === 'versionchange' || u.mode === 'versionchange' ||
          ((t.mode === 'readwrite' || u.mode === 'readwrite') && overlaps(t.scope, u.scope))
      }
      if (!blocked) t.start()
    }
  }

  connectionClosed (conn) {
    this.connections.delete(conn)
    for (const w of this.closeWaiters.splice(0)) w()
  }

  // Resolves when every connection in `conns` is closed.
  async allClosed (conns) {
    while (conns.some((c) => !c.closed)) {
      await new Promise((resolve) => this.closeWaiters.push(resolve))
    }
  }

  enqueue (job) {
    this.queue.push(job)
    this.run()
  }

  async run () {
    if (this.running) return
    this.running = true
    while (this.queue.length > 0) {
      const job = this.queue.shift()
      try {
        await job()
      } catch (err) {
        // Jobs report their own errors on their request; this is a bug guard.
        process.nextTick(() => { throw err })
      }
    }
    this.running = false
  }

  // Spec steps shared by open and delete: versionchange to the other
  // connections, blocked at the request while any stays open, then wait.
  async closeOthers (request, except, oldVersion, newVersion) {
    const others = Array.from(this.connections).filter((c) => c !== except && !c.closed)
    if (others.length === 0) return
    await nextTask()
    for (const c of others) {
      if (c.closePending) continue
      dispatch(c.db, new IDBVersionChangeEvent('versionchange', { oldVersion, newVersion }))
    }
    await nextTask()
    if (others.some((c) => !c.closed)) {
      dispatch(request, new IDBVersionChangeEvent('blocked', { oldVersion, newVersion }))
    }
    await this.allClosed(others)
  }
}

/** The state behind one IDBFactory: its lazily opened native root and database entries. */
class FactoryCore {
  constructor (options) {
    this.options = resolveOpenOptions(options, 'IDBFactory') // checked now: TypeError / RangeError
    this.rootPromise = null
    this.entries = new Map()
    this.makeStore = makeStore
  }

  root () {
    if (this.rootPromise === null) {
      const resolved = this.options
      this.rootPromise = binding.openJsonDB(resolved.path ?? '', nativeOpenOptions(resolved))
    }
    return this.rootPromise
  }

  entry (name) {
    let e = this.entries.get(name)
    if (e === undefined) this.entries.set(name, (e = new DbEntry(this, name)))
    return e
  }

  async nativeDb (entry) {
    if (entry.native === null) entry.native = (await this.root()).database(entry.name)
    return entry.native
  }

  // Spec "open a database connection" and its upgrade.
  async open (entry, request, requested) {
    let native
    try {
      native = await this.nativeDb(entry)
    } catch (err) {
      return fail(request, fromNative(err))
    }
    const oldVersion = native.version()
    const version = requested ?? (oldVersion === 0 ? 1 : oldVersion)
    if (oldVersion > version) {
      return fail(request, domError('VersionError', `The database version ${oldVersion} is above ${version}.`))
    }
    const conn = new ConnCore(this, entry, native, oldVersion)
    if (oldVersion === version) {
      entry.connections.add(conn)
      await nextTask()
      settleSuccess(request, conn.db)
      dispatch(request, new IDBEvent('success'))
      return
    }
    await entry.closeOthers(request, conn, oldVersion, version)
    entry.connections.add(conn)
    await this.upgrade(entry, conn, request, oldVersion, version)
  }

  async upgrade (entry, conn, request, oldVersion, version) {
    conn.version = version
    const core = conn.begin([], 'versionchange', 'default')
    conn.upgrade = core
    core.oldVersion = oldVersion
    core.savedSchema = new Map(Array.from(conn.schema.values(), (m) => [m, {
      name: m.name, indexes: new Map(m.indexes), indexNames: Array.from(m.indexes.values(), (i) => [i, i.name])
    }]))
    core.waiting = true // no auto-commit before upgradeneeded was dispatched
    core.internal((native) => native.setVersion(version))
    const finished = new Promise((resolve) => core.onFinish.unshift(resolve))
    await nextTask()
    setRequestTransaction(request, core.txn)
    settleSuccess(request, conn.db)
    if (!core.finished) {
      let outcome
      endOfTask(() => {
        core.waiting = false
        if (core.state === 'active') core.state = 'inactive'
        if (outcome.threw) core.abort(domError('AbortError', 'An upgradeneeded handler threw an exception.'))
        else core.dispatchReady()
      })
      core.state = 'active'
      outcome = dispatch(request, new IDBVersionChangeEvent('upgradeneeded', { oldVersion, newVersion: version }))
    }
    const committed = await finished
    conn.upgrade = null
    setRequestTransaction(request, null)
    await nextTask()
    if (committed && !conn.closePending) {
      settleSuccess(request, conn.db)
      dispatch(request, new IDBEvent('success'))
      return
    }
    conn.close()
    fail(request, domError('AbortError', committed ? 'The connection was closed during the upgrade.' : 'The upgrade transaction was aborted.'))
  }

  // Spec "delete a database".
  async delete (entry, request) {
    let native, root
    try {
      root = await this.root()
      native = await this.nativeDb(entry)
    } catch (err) {
      return fail(request, fromNative(err))
    }
    const oldVersion = native.version()
    await entry.closeOthers(request, null, oldVersion, null)
    if (oldVersion > 0) {
      try {
        await root.deleteDatabase(entry.name)
      } catch (err) {
        if (err.code !== NOT_FOUND) return fail(request, fromNative(err))
      }
    }
    await nextTask()
    settleSuccess(request, undefined)
    dispatch(request, new IDBVersionChangeEvent('success', { oldVersion, newVersion: null }))
  }
}

function fail (request, error) {
  return nextTask().then(() => {
    settleError(request, error)
    dispatch(request, new IDBEvent('error', { bubbles: true, cancelable: true }))
  })
}

const kFactory = Symbol('flowdb.idb.factory')

// WebIDL [EnforceRange] unsigned long long for open()'s version.
function toVersion (version) {
  const n = Number(version)
  if (!Number.isFinite(n)) throw new TypeError('The version must be a finite number.')
  const t = Math.trunc(n)
  if (t < 1 || t > Number.MAX_SAFE_INTEGER) throw new TypeError('The version must be between 1 and 2^53 - 1.')
  return t
}

/**
 * IDBFactory. `new IDBFactory()` or `new IDBFactory({ inMemory: true })`
 * keeps its databases in memory; `new IDBFactory({ path })` keeps every
 * database of the factory in the FlowDB directory `path` (opened on first
 * use; other FlowDB open options such as `sync` apply too).
 */
class IDBFactory {
  constructor (options = { inMemory: true }) {
    if (options === null || typeof options !== 'object') throw new TypeError('IDBFactory options must be an object')
    const opts = options.path === undefined && options.inMemory === undefined ? { ...options, inMemory: true } : options
    this[kFactory] = new FactoryCore(opts)
  }

  /**
   * Spec open(name, version): an IDBOpenDBRequest whose result is an
   * IDBDatabase; TypeError for a version that is not an integer >= 1.
   */
  open (name, version) {
    if (arguments.length < 1) throw new TypeError('open requires 1 argument')
    name = String(name)
    const v = version === undefined ? undefined : toVersion(version)
    const f = this[kFactory]
    const request = newOpenRequest()
    const entry = f.entry(name)
    entry.enqueue(() => f.open(entry, request, v))
    return request
  }

  /** Spec deleteDatabase(name): an IDBOpenDBRequest; success carries oldVersion. */
  deleteDatabase (name) {
    if (arguments.length < 1) throw new TypeError('deleteDatabase requires 1 argument')
    name = String(name)
    const f = this[kFactory]
    const request = newOpenRequest()
    const entry = f.entry(name)
    entry.enqueue(() => f.delete(entry, request))
    return request
  }

  /** Spec databases(): a Promise of [{ name, version }] for every database. */
  async databases () {
    const root = await this[kFactory].root()
    return (await root.databases()).filter((d) => d.version > 0)
  }

  /** Spec cmp(first, second): -1, 0 or 1 in key order. DataError for an invalid key. */
  cmp (first, second) {
    if (arguments.length < 2) throw new TypeError('cmp requires 2 arguments')
    return cmp(valueToKey(first), valueToKey(second))
  }

  /**
   * FlowDB extension: closes the factory's native root (a persistent
   * factory releases its directory) once every open connection closed
   * (each after its transactions finish). The factory is unusable
   * afterwards.
   */
  async close () {
    const f = this[kFactory]
    for (const e of f.entries.values()) {
      const conns = Array.from(e.connections)
      for (const c of conns) c.close()
      await e.allClosed(conns)
    }
    if (f.rootPromise === null) return
    const root = await f.rootPromise
    await root.close()
  }

  get [Symbol.toStringTag] () { return 'IDBFactory' }
}

module.exports = { IDBFactory }
