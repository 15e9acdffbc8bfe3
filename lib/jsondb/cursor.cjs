'use strict'

// Cursors of the document store: store.iterate(), index.iterate() and
// `for await` over a query. Each is a ChunkReader (chunk-reader.cjs) over a
// native DocCursor, whose nextv() hands over a chunk as
// { count, done, keys, primaryKeys?, values } with the documents as one JSON
// array text: it is parsed once per chunk here, and the reader yields the
// records one at a time.

const { ChunkReader } = require('../chunk-reader.cjs')

// The native cursor, speaking the chunk protocol.
class DocChunkSource {
  #native

  constructor (native) {
    this.#native = native
  }

  nextv (maxEntries, maxBytes) {
    return this.#native.nextv(maxEntries, maxBytes).then(toChunk)
  }

  close () {
    this.#native.close()
  }
}

// keys (and primaryKeys) are an Array, or a Float64Array when every key is a
// number; primaryKeys is left out when it equals keys (store cursors).
function toChunk (c) {
  return { buffer: { keys: c.keys, primaryKeys: c.primaryKeys ?? c.keys, values: JSON.parse(c.values) }, count: c.count, done: c.done }
}

// Yields { key, primaryKey, value } records.
class RecordDecoder {
  end = 0
  decode (chunk, i) {
    this.end = i + 1
    return { key: chunk.keys[i], primaryKey: chunk.primaryKeys[i], value: chunk.values[i] }
  }

  finish (record) { return record }
  reset () {}
}

// Yields the documents alone (query results).
class ValueDecoder {
  end = 0
  decode (chunk, i) {
    this.end = i + 1
    return chunk.values[i]
  }

  finish (value) { return value }
  reset () {}
}

/**
 * A cursor yielding at most `limit` entries of the native cursor `native`
 * (null: known to be empty): records, or documents when `valuesOnly`.
 * `owner` is the database's Lifecycle.
 */
function openCursor (owner, native, limit, valuesOnly) {
  const source = native === null ? null : new DocChunkSource(native)
  return new ChunkReader(owner, source, limit, valuesOnly ? new ValueDecoder() : new RecordDecoder(), { name: 'cursor' })
}

module.exports = { openCursor }
