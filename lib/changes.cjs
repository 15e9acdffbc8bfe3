'use strict'

// ChangeFeed: engine.changes({ since }) as an async iterable of committed
// batches (see index.d.ts). The native feed (binding/change_feed.h) reads
// the WAL on a worker; once caught up, the iterator parks on a native wait
// that a commit resolves, so an idle feed costs no polling. It pulls: a
// batch is read only when the consumer asks for the next one.
//
// The engine's Lifecycle holds the feed like a cursor: close() aborts it
// (a waiting or later next() rejects with FLOWDB_CLOSED) and waits for a
// read in flight. return() (a `break` out of for await) releases the
// native feed and its WAL pin.

const encoding = require('./encoding.cjs')
const { kAbort } = require('./lifecycle.cjs')

// Bytes of batches one native read returns at most (at least one batch).
const READ_BYTES = 1 << 20

class ChangeFeed {
  #owner
  #start // () → Promise of the native feed
  #native = null
  #keyEncoding
  #valueEncoding
  #bigint
  #buffer = []
  #done = false
  #aborted = false
  #queue = Promise.resolve()

  // owner: the engine's Lifecycle; start: opens the native feed.
  constructor (owner, start, keyEncoding, valueEncoding, bigint) {
    this.#owner = owner
    this.#start = start
    this.#keyEncoding = keyEncoding
    this.#valueEncoding = valueEncoding
    this.#bigint = bigint
    owner.register(this)
  }

  [Symbol.asyncIterator] () {
    return this
  }

  /** The next committed batch; waits for a commit when caught up. Calls queue up. */
  next () {
    const result = this.#queue.then(() => this.#next())
    this.#queue = result.catch(() => {})
    return result
  }

  async #next () {
    while (true) {
      if (this.#done) return { done: true, value: undefined }
      if (this.#aborted) throw this.#owner.closedError('changes')
      if (this.#buffer.length > 0) return { done: false, value: this.#buffer.shift() }
      if (this.#native === null) {
        const native = await this.#owner.track(this.#start())
        if (this.#done || this.#aborted) {
          native.close()
          continue
        }
        this.#native = native
      }
      let batches
      try {
        batches = await this.#owner.track(this.#native.next(READ_BYTES))
      } catch (err) {
        this.#finish()
        throw err
      }
      if (batches.length > 0) {
        this.#buffer = batches.map((b) => this.#decode(b))
        continue
      }
      if (this.#done || this.#aborted) continue
      await this.#native.wait()
    }
  }

  /** Ends the feed and releases its native state (a `break` in for await calls it). */
  async return () {
    this.#finish()
    return { done: true, value: undefined }
  }

  #finish () {
    if (this.#done) return
    this.#done = true
    this.#buffer = []
    this.#native?.close()
    this.#owner.release(this)
  }

  // The engine closes: a pending or later next() rejects with FLOWDB_CLOSED.
  [kAbort] () {
    this.#aborted = true
    this.#buffer = []
    this.#native?.close()
  }

  #decode (b) {
    const ts = (v) => encoding.toTimestamp(v, this.#bigint)
    const key = (buf) => this.#keyEncoding === 'utf8' ? buf.toString('utf8') : buf
    return {
      seq: b.seq,
      firstSeq: b.firstSeq,
      records: b.records.map((r) => ({
        key: key(r.key),
        ts: ts(r.ts),
        value: encoding.decodeValue(r.value, this.#valueEncoding),
        expireAt: r.expireAt === null ? null : ts(r.expireAt),
        seq: r.seq
      })),
      deletes: b.deletes.map((d) => ({ key: key(d.key), ts: ts(d.ts), seq: d.seq })),
      rangeDeletes: b.rangeDeletes.map((d) => ({ start: key(d.start), end: key(d.end), seq: d.seq }))
    }
  }
}

module.exports = { ChangeFeed }
