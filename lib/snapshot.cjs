'use strict'

// Snapshot: a consistent, read-only view of an Engine as of the moment
// engine.snapshot() was called. Reads given { snapshot } see exactly the
// writes acknowledged before it, however much is written, deleted, flushed
// or compacted afterwards; compaction keeps the versions it can see until it
// is released. Release it when done (release(), `using`, or the garbage
// collector as a last resort): an open snapshot makes compaction keep old
// versions.

// Releases the native snapshot of a Snapshot the program dropped unreleased.
const snapshotRegistry = new FinalizationRegistry(({ native, handle }) => {
  try {
    native.snapshotRelease(handle)
  } catch {
    // The engine is gone: nothing left to release.
  }
})

const kConstruct = Symbol('flowdb.snapshot.construct')

class Snapshot {
  #native
  #handle // the native snapshot (reads refuse it once released)
  #sequence
  #owner
  #released = false

  constructor (token, native, handle, sequence, owner) {
    if (token !== kConstruct) throw new TypeError('Use engine.snapshot() to take a snapshot')
    this.#native = native
    this.#handle = handle
    this.#sequence = sequence
    this.#owner = owner
    snapshotRegistry.register(this, { native, handle }, this)
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
    if (!this.#owner.isClosed()) this.#native.snapshotRelease(this.#handle)
  }

  [Symbol.dispose] () {
    this.release()
  }

  // The native snapshot to pass to a read; TypeError if `snapshot` is not a
  // Snapshot. The read itself refuses a released snapshot or another
  // engine's (FLOWDB_INVALID_ARGUMENT).
  static handleOf (snapshot, label) {
    if (!(snapshot instanceof Snapshot)) {
      throw new TypeError(`${label} must be a Snapshot from engine.snapshot()`)
    }
    return snapshot.#handle
  }
}

module.exports = { Snapshot, kConstruct }
