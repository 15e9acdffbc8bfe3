'use strict'

// Snapshot: a consistent, read-only view of an Engine as of the moment
// engine.snapshot() was called. Reads given { snapshot } see exactly the
// writes acknowledged before it, however much is written, deleted, flushed
// or compacted afterwards; compaction keeps the versions it can see until it
// is released. Release it when done (release(), `using`, or the garbage
// collector as a last resort): an open snapshot makes compaction keep old
// versions.

const { FlowDBError } = require('./errors.cjs')
const { errorCodes } = require('./binding.cjs').constants

// Releases the native snapshot of a Snapshot the program dropped unreleased.
const snapshotRegistry = new FinalizationRegistry(({ native, id }) => {
  try {
    native.snapshotRelease(id)
  } catch {
    // The engine is gone: nothing left to release.
  }
})

const kConstruct = Symbol('flowdb.snapshot.construct')

class Snapshot {
  #native
  #id
  #sequence
  #owner
  #released = false

  constructor (token, native, id, sequence, owner) {
    if (token !== kConstruct) throw new TypeError('Use engine.snapshot() to take a snapshot')
    this.#native = native
    this.#id = id
    this.#sequence = sequence
    this.#owner = owner
    snapshotRegistry.register(this, { native, id }, this)
  }

  /** The sequence number of the last write the snapshot sees. */
  get sequence () {
    return this.#sequence
  }

  /** True once release() was called (or the engine closed). */
  get released () {
    return this.#released || this.#owner.isClosed()
  }

  /** Lets compaction drop what only this snapshot could see. Idempotent. */
  release () {
    if (this.#released) return
    this.#released = true
    snapshotRegistry.unregister(this)
    if (!this.#owner.isClosed()) this.#native.snapshotRelease(this.#id)
  }

  [Symbol.dispose] () {
    this.release()
  }

  // The sequence to read at, for `engine`; throws if the snapshot cannot be
  // used there.
  static sequenceFor (snapshot, owner, label) {
    if (!(snapshot instanceof Snapshot)) {
      throw new TypeError(`${label} must be a Snapshot from engine.snapshot()`)
    }
    if (snapshot.#owner !== owner) {
      throw new FlowDBError(`${label} belongs to another engine`, errorCodes.INVALID_ARGUMENT)
    }
    if (snapshot.released) {
      throw new FlowDBError(`${label} was released`, errorCodes.INVALID_ARGUMENT)
    }
    return snapshot.#sequence
  }
}

module.exports = { Snapshot, kConstruct }
