'use strict'

// ChunkReader: an async iterator over entries that a native cursor hands
// over in chunks, so that `for await` costs one native round trip per chunk,
// not per entry. It is the mechanism behind Scan (scan.cjs) and any other
// cursor whose native side speaks the same chunk protocol; what differs
// between them is how an entry is decoded, which a decoder object supplies.
//
// The first chunk is small, so that a cursor that stops early (limit, break,
// "find the first match") reads little, and is read on the JS thread when
// memory holds all of it; later chunks are large, and from the second one on
// the next chunk is requested as soon as one arrives, so a worker thread
// reads ahead while this thread decodes. next() calls that must wait run in
// call order.
//
// The chunk protocol (source):
//   nextv(maxEntries, maxBytes) → Promise<chunk>     read on a worker thread
//   nextvMemory(maxEntries, maxBytes) → chunk | null  optional: read on this
//       thread from memory only, or null (nothing consumed) when that would
//       need file I/O
//   close()                                           releases the cursor
//   chunk = { buffer: Buffer, count: entries in buffer, done: nothing after }
//
// The decoder protocol:
//   decode(buf, off) → entry      reads the entry at buf[off..] and sets
//                                 decoder.end to the offset just past it
//   finish(entry) → value         what next() yields for it; may throw (for
//                                 example JSON.parse), which fails that one
//                                 read only
//   reset()                       drops any reference into the last chunk

const { kAbort } = require('./lifecycle.cjs')

/** Chunk sizes: entries of the first chunk, entries and bytes of the others. */
const DEFAULT_CHUNKS = Object.freeze({ firstEntries: 16, entries: 1000, bytes: 64 * 1024 })

const DONE = Object.freeze({ value: undefined, done: true })

// States: 'open' → 'closed' (closed by the user, exhausted or past its
// limit) or 'aborted' (closed by the owner's close(); reads reject with the
// owner's closedError).
class ChunkReader {
  #owner
  #source
  #decoder
  #chunks
  #name
  #state = 'open'
  #remaining // entries still allowed by `limit` (Infinity when unlimited)
  #buffer = null
  #offset = 0
  #buffered = 0 // entries in #buffer not yet yielded
  #exhausted = false // the source has nothing after #buffer
  #fetches = 0
  #triedMemory = false // the first chunk was offered to nextvMemory
  #ahead = null // a nextv() Promise requested before it was needed
  #chain = null // the last queued slow-path next(), so calls run in order

  // owner: a Lifecycle (lifecycle.cjs): register, release, track, closedError.
  // source: the native cursor (see the chunk protocol above), or null for a
  //         cursor known to be empty.
  // limit: the most entries to yield (Infinity for no limit).
  // decoder: see the decoder protocol above.
  // options.name: the cursor's name in errors ('scan': "scan.next()").
  // options.chunks: chunk sizes, DEFAULT_CHUNKS unless given.
  constructor (owner, source, limit, decoder, { name = 'scan', chunks = DEFAULT_CHUNKS } = {}) {
    this.#owner = owner
    this.#source = source
    this.#remaining = limit
    this.#decoder = decoder
    this.#chunks = chunks
    this.#name = name
    if (source === null) this.#state = 'closed'
    else owner.register(this)
  }

  [Symbol.asyncIterator] () {
    return this
  }

  next () {
    if (this.#chain === null && this.#buffered > 0) {
      try {
        return Promise.resolve(this.#take())
      } catch (err) { // finish() refused the entry
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

  // Reads every remaining entry (up to `limit`) into an array. The caller
  // wants them all, so every fetch asks for a full chunk, and buffered
  // entries are taken without a Promise each.
  async all () {
    const values = []
    try {
      if (this.#chain !== null) await this.#chain.then(noop, noop)
      this.#fetches = Math.max(this.#fetches, 1)
      for (;;) {
        while (this.#buffered > 0) values.push(this.#take().value)
        const r = await this.#advance()
        if (r.done) break
        values.push(r.value)
      }
    } finally {
      this.close()
    }
    return values
  }

  // Releases the native cursor. Idempotent; resolves once a read that was
  // in flight has settled. Entries still buffered are dropped.
  close () {
    if (this.#state === 'open') this.#release('closed')
    const chain = this.#chain
    return chain === null ? Promise.resolve() : chain.then(noop, noop)
  }

  [Symbol.asyncDispose] () {
    return this.close()
  }

  // Called by the owner's close(): later reads reject with its closedError.
  [kAbort] () {
    if (this.#state === 'open') this.#release('aborted')
  }

  async #advance () {
    for (;;) {
      if (this.#buffered > 0) return this.#take()
      if (this.#state === 'aborted') throw this.#owner.closedError(`${this.#name}.next`)
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
      if (this.#state !== 'open') {
        // Closed while the chunk was read. The owner's close() waits for
        // reads in flight, so the call that was waiting gets its entry;
        // every later call sees the close.
        if (this.#state === 'aborted' && chunk.count > 0) {
          return { value: this.#decoder.finish(this.#decoder.decode(chunk.buffer, 0)), done: false }
        }
        continue
      }
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
  // read on this thread when memory holds all of it (a short hot read then
  // costs no thread hop); otherwise, and for every later chunk, a worker
  // reads it. Returns the chunk or a Promise of it.
  #fetch (wanted) {
    const chunks = this.#chunks
    const entries = Math.min(this.#fetches === 0 ? chunks.firstEntries : chunks.entries, wanted)
    this.#fetches++
    if (!this.#triedMemory) {
      this.#triedMemory = true
      if (this.#source.nextvMemory !== undefined) {
        let chunk
        try {
          chunk = this.#source.nextvMemory(entries, chunks.bytes)
        } catch (err) {
          return Promise.reject(err)
        }
        if (chunk !== null) return chunk
      }
    }
    return this.#owner.track(this.#source.nextv(entries, chunks.bytes))
  }

  #take () {
    const decoder = this.#decoder
    const entry = decoder.decode(this.#buffer, this.#offset)
    this.#offset = decoder.end
    this.#buffered--
    if (--this.#remaining === 0 || (this.#buffered === 0 && this.#exhausted)) this.#release('closed')
    // Finished last: an entry finish() refuses fails this read only.
    return { value: decoder.finish(entry), done: false }
  }

  #release (state) {
    this.#state = state
    this.#buffered = 0
    this.#buffer = null
    this.#decoder.reset()
    this.#ahead = null // still settles; its chunk is dropped
    if (this.#source !== null) {
      this.#source.close()
      this.#source = null
    }
    this.#owner.release(this)
  }
}

function noop () {}

module.exports = { ChunkReader, DEFAULT_CHUNKS }
