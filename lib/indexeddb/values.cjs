'use strict'

// Values as IndexedDB stores them: structured clones, kept as v8.serialize
// bytes (spec "StructuredSerializeForStorage"), and the index keys of a
// clone. Also the argument checks shared by the object store and index read
// methods.

const v8 = require('node:v8')
const { domError } = require('./errors.cjs')
const { indexKeysOf, nativeIndexName } = require('./keys.cjs')
const { IDBKeyRange, toKeyRange } = require('./key-range.cjs')

// Blobs and Files cross v8.serialize as host objects: an index into the
// value's blob table. Their bytes can only be read asynchronously, so a
// stored value with blobs is an envelope: a 0 byte (v8 output starts with
// 0xFF), the table as JSON with its length, the blobs' bytes, then the v8
// bytes.
const BLOB_TAG = 0xb10b
const ENVELOPE = 0

class ValueSerializer extends v8.DefaultSerializer {
  constructor (blobs) {
    super()
    this.blobs = blobs
  }

  _writeHostObject (obj) {
    if (typeof Blob !== 'undefined' && obj instanceof Blob) {
      this.writeUint32(BLOB_TAG)
      this.writeUint32(this.blobs.length)
      this.blobs.push(obj)
      return
    }
    return super._writeHostObject(obj)
  }
}

class ValueDeserializer extends v8.DefaultDeserializer {
  constructor (bytes, blobs) {
    super(bytes)
    this.blobs = blobs
  }

  _readHostObject () {
    const tag = this.readUint32()
    if (tag === BLOB_TAG) return this.blobs[this.readUint32()]()
    // Not ours: the default reader reads its tag again.
    const read = this.readUint32
    let first = true
    this.readUint32 = function () {
      if (first) {
        first = false
        return tag
      }
      return read.call(this)
    }
    try {
      return super._readHostObject()
    } finally {
      delete this.readUint32
    }
  }
}

// A factory making a fresh Blob / File equal to `blob` (a clone).
function blobCloner (blob) {
  if (typeof File !== 'undefined' && blob instanceof File) {
    return () => new File([blob], blob.name, { type: blob.type, lastModified: blob.lastModified })
  }
  return () => blob.slice(0, blob.size, blob.type)
}

/**
 * Serializes `value` (spec "clone a value"): { bytes, blobs }, the v8
 * bytes and the Blobs they refer to. Throws DataCloneError when the value
 * cannot be cloned (functions, symbols, platform objects Node cannot
 * serialize).
 */
function serializeValue (value) {
  try {
    const blobs = []
    const s = new ValueSerializer(blobs)
    s.writeHeader()
    s.writeValue(value)
    return { bytes: s.releaseBuffer(), blobs }
  } catch (err) {
    // The serializer's own refusals become DataCloneError; an exception a
    // getter of the value threw propagates as is.
    if (err instanceof Error && /could not be cloned|Unserializable host object|DataCloneError/.test(err.message + err.name)) {
      throw domError('DataCloneError', `The value could not be cloned: ${err.message}`)
    }
    throw err
  }
}

/** The clone a serialized value denotes (a fresh one each call). */
function cloneOf (serialized) {
  if (serialized.blobs.length === 0) return v8.deserialize(serialized.bytes)
  return readValue(serialized.bytes, serialized.blobs.map(blobCloner))
}

function readValue (bytes, blobs) {
  const d = new ValueDeserializer(bytes, blobs)
  d.readHeader()
  return d.readValue()
}

/** The bytes to store for a serialized value: a Buffer, or a Promise of one when it holds Blobs. */
function storedBytes (serialized) {
  if (serialized.blobs.length === 0) return serialized.bytes
  return Promise.all(serialized.blobs.map((b) => b.arrayBuffer())).then((datas) => {
    const table = serialized.blobs.map((b, i) => {
      const e = { type: b.type, size: datas[i].byteLength }
      if (typeof File !== 'undefined' && b instanceof File) {
        e.name = b.name
        e.lastModified = b.lastModified
      }
      return e
    })
    const head = Buffer.from(JSON.stringify(table))
    const parts = [Buffer.from([ENVELOPE]), Buffer.alloc(4), head]
    parts[1].writeUInt32LE(head.length)
    for (const d of datas) parts.push(Buffer.from(d))
    parts.push(serialized.bytes)
    return Buffer.concat(parts)
  })
}

/** The value stored as `bytes` (a fresh clone each call). */
function deserializeValue (bytes) {
  if (bytes.length === 0 || bytes[0] !== ENVELOPE) return v8.deserialize(bytes)
  const headLength = bytes.readUInt32LE(1)
  const table = JSON.parse(bytes.subarray(5, 5 + headLength).toString())
  let at = 5 + headLength
  const blobs = table.map((e) => {
    const data = bytes.subarray(at, at + e.size)
    at += e.size
    return e.name !== undefined
      ? () => new File([data], e.name, { type: e.type, lastModified: e.lastModified })
      : () => new Blob([data], { type: e.type })
  })
  return readValue(bytes.subarray(at), blobs)
}

/**
 * The native putValue index argument for a clone: [[indexName, keys], ...]
 * for each index (metadata objects) under which the value has entries.
 */
function indexEntries (clone, indexes) {
  const out = []
  for (const index of indexes) {
    const keys = indexKeysOf(clone, index.keyPath, index.multiEntry)
    if (keys.length > 0) out.push([nativeIndexName(index.name), keys])
  }
  return out
}

const DIRECTIONS = ['next', 'nextunique', 'prev', 'prevunique']

// Whether a getAll argument is an IDBGetAllOptions dictionary rather than
// a key or key range: an object that is none of the key types (a Date,
// even an invalid one, or binary or an array is a key candidate).
function isOptionsDictionary (value) {
  return value !== null && typeof value === 'object' && !(value instanceof IDBKeyRange) &&
    !(value instanceof Date) && !Array.isArray(value) && !(value instanceof ArrayBuffer) && !ArrayBuffer.isView(value)
}

/** Checks a cursor direction argument (TypeError when not one of the four). */
function toDirection (direction) {
  if (direction === undefined) return 'next'
  const d = String(direction)
  if (!DIRECTIONS.includes(d)) throw new TypeError(`'${d}' is not a valid IDBCursorDirection`)
  return d
}

/**
 * WebIDL [EnforceRange] unsigned long for a getAll count: undefined → -1
 * (no limit), 0 → no limit; TypeError when not finite or out of range.
 */
function toCount (count) {
  if (count === undefined) return -1
  const n = Number(count)
  if (!Number.isFinite(n)) throw new TypeError('count must be a finite number')
  const t = Math.trunc(n)
  if (t < 0 || t > 0xffffffff) throw new TypeError('count is out of range')
  return t === 0 ? -1 : t
}

/**
 * The arguments of getAll / getAllKeys / getAllRecords: a key or key range
 * and a count, or an IDBGetAllOptions dictionary { query, count, direction }.
 */
function getAllArgs (queryOrOptions, count, dictOnly = false) {
  if (dictOnly || isOptionsDictionary(queryOrOptions)) {
    const o = queryOrOptions ?? {}
    return { range: toKeyRange(o.query), count: toCount(o.count), direction: toDirection(o.direction) }
  }
  return { range: toKeyRange(queryOrOptions), count: toCount(count), direction: 'next' }
}

module.exports = { serializeValue, cloneOf, storedBytes, deserializeValue, indexEntries, toDirection, toCount, getAllArgs }
