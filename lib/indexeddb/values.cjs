'use strict'

// Values as IndexedDB stores them: structured clones, kept as v8.serialize
// bytes (spec "StructuredSerializeForStorage"), and the index keys of a
// clone. Also the argument checks shared by the object store and index read
// methods.

const v8 = require('node:v8')
const { domError } = require('./errors.cjs')
const { indexKeysOf } = require('./keys.cjs')
const { IDBKeyRange, toKeyRange } = require('./key-range.cjs')

/**
 * Serializes `value` (spec "clone a value"): the bytes stored. Throws
 * DataCloneError when the value cannot be cloned (functions, symbols,
 * platform objects Node cannot serialize).
 */
function serializeValue (value) {
  try {
    return v8.serialize(value)
  } catch (err) {
    // The serializer's own refusals become DataCloneError; an exception a
    // getter of the value threw propagates as is.
    if (err instanceof Error && /could not be cloned|Unserializable host object|DataCloneError/.test(err.message + err.name)) {
      throw domError('DataCloneError', `The value could not be cloned: ${err.message}`)
    }
    throw err
  }
}

/** The value stored as `bytes` (a fresh clone each call). */
function deserializeValue (bytes) {
  return v8.deserialize(bytes)
}

/**
 * The native putValue index argument for a clone: [[indexName, keys], ...]
 * for each index (metadata objects) under which the value has entries.
 */
function indexEntries (clone, indexes) {
  const out = []
  for (const index of indexes) {
    const keys = indexKeysOf(clone, index.keyPath, index.multiEntry)
    if (keys.length > 0) out.push([index.name, keys])
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

module.exports = { serializeValue, deserializeValue, indexEntries, toDirection, toCount, getAllArgs }
