'use strict'

// Scan: the async iterable returned by engine.scan(). It pulls entries from
// a NativeIterator in chunks (NativeIterator.nextv) and yields them one at a
// time, so `for await` costs one native round trip per chunk, not per record.
// The first chunk is small, so that a scan that stops early (limit, break,
// "find the first match") reads little, and is read on the JS thread when it
// is all in memory; later chunks are large, and from the second one on the
// next chunk is requested as soon as one arrives, so a worker thread reads
// ahead while this thread decodes.

const { readInt64, readExpireAt } = require('./encoding.cjs')
const { kAbort } = require('./lifecycle.cjs')

// A copy of buf[off, off + len) that the caller owns. Buffer.allocUnsafe
// carves small buffers out of a shared pool, which costs far less than an
// ArrayBuffer per record.
function copyOut (buf, off, len) {
  const out = Buffer.allocUnsafe(len)
  buf.copy(out, 0, off, off + len)
  return out
}

const FIRST_CHUNK_ENTRIES = 16
const CHUNK_ENTRIES = 1000
const CHUNK_BYTES = 64 * 1024
const ENTRY_HEADER_SIZE = 24

const DONE = Object.freeze({ value: undefined, done: true })

// States: 'open' → 'closed' (closed by the user, exhausted or past its
// limit) or 'aborted' (closed by engine.close(); reads reject FLOWDB_CLOSED).
class Scan {
  #owner
  #native
  #state = 'open'
  #remaining // records still allowed by `limit` (Infinity when unlimited)
  #keyEncoding
  #valueEncoding
  #bigint
  #buffer = null
  #offset = 0
  #buffered = 0 // entries in #buffer not yet yielded
  #exhausted = false // the native iterator has nothing after #buffer
  #fetches = 0
  #triedMemory = false // the first chunk was offered to nextvMemory
  #ahead = null // a nextv() Promise requested before it was needed
  #chain = null // the last queued slow-path next(), so calls run in order
  #lastKey = null // the last utf8 key decoded, reused while the bytes repeat
  #lastKeyBuf = null // the chunk and offset of its bytes
  #lastKeyOff = 0
  #lastKeyLen = -1

  // owner: the engine's Lifecycle (lifecycle.cjs): register(scan),
  //        release(scan), track(promise), closedError(method).
  // native: a NativeIterator, or null for a scan known to be empty.
  constructor (owner, native, limit, keyEncoding, valueEncoding, bigint) {
    this.#owner = owner
    this.#native = native
    this.#remaining = limit
    this.#keyEncoding = keyEncoding
    this.#valueEncoding = valueEncoding
    this.#bigint = bigint
    if (native === null) this.#state = 'closed'
    else owner.register(this)
  }

  [Symbol.asyncIterator] () {
    return this
  }

  next () {
    if (this.#chain === null && this.#buffered > 0) {
      try {
        return Promise.resolve(this.#take())
      } catch (err) { // a value that is not JSON under valueEncoding 'json'
        return Promise.reject(err)
      }
    }
    const step = () => this.#advance()
    const p = this.#chain === null ? step() : this.#chain.then(step, step)
    this.#chain = p
    const clear = () => { if (this.#chain === p) this.#chain = null }
    p.then(clear, clear)
    return p
  }

  async return () {
    await this.close()
    return DONE
  }

  // Reads every remaining record (up to `limit`) into an array. The caller
  // wants them all, so every fetch asks for a full chunk, and buffered
  // records are taken without a Promise each.
  async all () {
    const records = []
    try {
      if (this.#chain !== null) await this.#chain.then(noop, noop)
      this.#fetches = Math.max(this.#fetches, 1)
      for (;;) {
        while (this.#buffered > 0) records.push(this.#take().value)
        const r = await this.#advance()
        if (r.done) break
        records.push(r.value)
      }
    } finally {
      this.close()
    }
    return records
  }

  // Releases the native iterator. Idempotent; resolves once a read that was
  // in flight has settled. Records still buffered are dropped.
  close () {
    if (this.#state === 'open') this.#release('closed')
    const chain = this.#chain
    return chain === null ? Promise.resolve() : chain.then(noop, noop)
  }

  [Symbol.asyncDispose] () {
    return this.close()
  }

  // Called by engine.close(): later reads reject with FLOWDB_CLOSED.
  [kAbort] () {
    if (this.#state === 'open') this.#release('aborted')
  }

  async #advance () {
    for (;;) {
      if (this.#buffered > 0) return this.#take()
      if (this.#state === 'aborted') throw this.#owner.closedError('scan.next')
      if (this.#state === 'closed') return DONE
      if (this.#exhausted) {
        this.#release('closed')
        return DONE
      }
      const pending = this.#ahead ?? this.#fetch(this.#remaining)
      this.#ahead = null
      let chunk
      try {
        chunk = await pending
      } catch (err) {
        if (this.#state === 'open') this.#release('closed')
        throw err
      }
      if (this.#state !== 'open') continue // closed while the chunk was read
      this.#buffer = chunk.buffer
      this.#offset = 0
      this.#buffered = chunk.count
      this.#exhausted = chunk.done
      const wanted = this.#remaining - chunk.count
      if (!chunk.done && this.#fetches > 1 && wanted > 0) {
        this.#ahead = this.#fetch(wanted)
        this.#ahead.catch(noop) // awaited (and its error seen) by the next #advance
      }
    }
  }

  // Requests the next chunk of at most `wanted` entries. The first one is
  // read on this thread when memtables and cached blocks hold all of it (a
  // short hot scan then costs no thread hop); otherwise, and for every
  // later chunk, a worker reads it. Returns the chunk or a Promise of it.
  #fetch (wanted) {
    const entries = Math.min(this.#fetches === 0 ? FIRST_CHUNK_ENTRIES : CHUNK_ENTRIES, wanted)
    this.#fetches++
    if (!this.#triedMemory) {
      this.#triedMemory = true
      let chunk
      try {
        chunk = this.#native.nextvMemory(entries, CHUNK_BYTES)
      } catch (err) {
        return Promise.reject(err)
      }
      if (chunk !== null) return chunk
    }
    return this.#owner.track(this.#native.nextv(entries, CHUNK_BYTES))
  }

  #take () {
    const buf = this.#buffer
    let off = this.#offset
    const keyLen = buf.readUInt32LE(off)
    const valueLen = buf.readUInt32LE(off + 4)
    const ts = readInt64(buf, off + 8, this.#bigint)
    const expireAt = readExpireAt(buf, off + 16, this.#bigint)
    off += ENTRY_HEADER_SIZE
    const key = this.#keyEncoding === 'utf8' ? this.#utf8Key(buf, off, keyLen) : copyOut(buf, off, keyLen)
    off += keyLen
    let value = this.#valueEncoding === 'buffer'
      ? copyOut(buf, off, valueLen)
      : buf.toString('utf8', off, off + valueLen)
    this.#offset = off + valueLen
    this.#buffered--
    if (--this.#remaining === 0 || (this.#buffered === 0 && this.#exhausted)) this.#release('closed')
    // Parsed last: a value that is not JSON fails this read only.
    if (this.#valueEncoding === 'json') value = JSON.parse(value)
    return { value: { key, ts, value, expireAt }, done: false }
  }

  // The key at buf[off, off + len) as a string. A time-series scan meets
  // each key once per version, so when the bytes equal the previous key's
  // the previous string is returned instead of decoding again.
  #utf8Key (buf, off, len) {
    const last = this.#lastKeyBuf
    if (len === this.#lastKeyLen && last !== null) {
      const lastOff = this.#lastKeyOff
      let i = 0
      while (i < len && buf[off + i] === last[lastOff + i]) i++
      if (i === len) {
        this.#lastKeyBuf = buf
        this.#lastKeyOff = off
        return this.#lastKey
      }
    }
    const key = buf.toString('utf8', off, off + len)
    this.#lastKey = key
    this.#lastKeyBuf = buf
    this.#lastKeyOff = off
    this.#lastKeyLen = len
    return key
  }

  #release (state) {
    this.#state = state
    this.#buffered = 0
    this.#buffer = null
    this.#lastKeyBuf = null
    this.#ahead = null // still settles; its chunk is dropped
    if (this.#native !== null) {
      this.#native.close()
      this.#native = null
    }
    this.#owner.release(this)
  }
}

function noop () {}

module.exports = { Scan }
