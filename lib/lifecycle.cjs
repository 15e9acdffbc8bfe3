'use strict'

// Lifecycle: the open → closing → closed state of one database handle
// (Engine, and any other class that owns a native handle) and what makes
// close() safe:
//
// - every native operation in flight is counted (begin/settled, or track),
//   so close() waits for them before the native handle closes;
// - every open cursor (a Scan or another ChunkReader) registers itself, so
//   close() can end it first ([kAbort]); cursors are held weakly, so one the
//   program dropped unclosed can still be garbage-collected (its native
//   iterator's finalizer then releases the engine state it pinned).
//
// The counter here is the policy: close() does not call the native close
// until it reaches zero. The native handle keeps its own count as a safety
// net for callers that bypass this module (binding/engine_handle.h).
//
// One Lifecycle object is also the `owner` that cursors and snapshots are
// given: its register/release/track/closedError/isClosed methods are their
// whole view of the handle.

const { FlowDBError } = require('./errors.cjs')
const { errorCodes } = require('./binding.cjs').constants

// Called by close() on every registered cursor that is still open: later
// reads of the cursor reject with closedError().
const kAbort = Symbol('flowdb.cursor.abort')

// Forgets a cursor the program dropped unclosed once it is collected.
const cursorRegistry = new FinalizationRegistry(({ cursors, ref }) => cursors.delete(ref))

class Lifecycle {
  #what
  #status = 'open'
  #pending = 0 // native operations in flight
  #onIdle = null
  #closing = null
  #cursors = new Set() // WeakRef<cursor>
  #cursorRefs = new WeakMap() // cursor → its WeakRef in #cursors

  // what: the handle's name in error messages ("engine").
  constructor (what) {
    this.#what = what
  }

  /** 'open' | 'closing' | 'closed' */
  get status () {
    return this.#status
  }

  /** True from the moment close() is called. */
  isClosed () {
    return this.#status !== 'open'
  }

  /** Throws FLOWDB_CLOSED (naming `method`) unless the handle is open. */
  checkOpen (method) {
    if (this.#status !== 'open') throw this.closedError(method)
  }

  /** The FLOWDB_CLOSED error a call of `method` gets after close(). */
  closedError (method) {
    const state = this.#status === 'open' ? 'closed' : this.#status
    return new FlowDBError(`Cannot call ${method}(): the ${this.#what} is ${state}`, errorCodes.CLOSED)
  }

  /** Counts one native operation in flight; pair with settled(). */
  begin () {
    this.#pending++
  }

  /** Ends an operation counted by begin(); the last one lets close() go on. */
  settled () {
    if (--this.#pending === 0 && this.#onIdle !== null) {
      const resolve = this.#onIdle
      this.#onIdle = null
      resolve()
    }
  }

  /** Counts `promise` as in flight until it settles; returns a Promise of its outcome. */
  track (promise) {
    this.#pending++
    return promise.finally(() => this.settled())
  }

  /**
   * Registers an open cursor: close() calls its [kAbort]() unless it was
   * released first. Held weakly.
   */
  register (cursor) {
    const ref = new WeakRef(cursor)
    this.#cursors.add(ref)
    this.#cursorRefs.set(cursor, ref)
    cursorRegistry.register(cursor, { cursors: this.#cursors, ref }, ref)
  }

  /** Forgets a cursor that closed by itself. Unknown cursors are ignored. */
  release (cursor) {
    const ref = this.#cursorRefs.get(cursor)
    if (ref === undefined) return
    this.#cursors.delete(ref)
    this.#cursorRefs.delete(cursor)
    cursorRegistry.unregister(ref)
  }

  /**
   * Closes once: marks the handle closing (new calls fail with
   * FLOWDB_CLOSED), aborts the open cursors, waits for the operations in
   * flight, then awaits closeNative(). The status is 'closed' afterwards
   * even if closeNative() rejects. Every call returns the same Promise.
   */
  close (closeNative) {
    if (this.#closing === null) this.#closing = this.#close(closeNative)
    return this.#closing
  }

  async #close (closeNative) {
    this.#status = 'closing'
    for (const ref of this.#cursors) ref.deref()?.[kAbort]()
    if (this.#pending > 0) await new Promise((resolve) => { this.#onIdle = resolve })
    try {
      await closeNative()
    } finally {
      this.#status = 'closed'
    }
  }
}

module.exports = { Lifecycle, kAbort }
