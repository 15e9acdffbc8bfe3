'use strict'

// The reads shared by object stores and indexes: a value by key or range
// (a sync native read when it can), and getAll / getAllKeys /
// getAllRecords.

const { isOnly } = require('./key-range.cjs')
const { deserializeValue } = require('./values.cjs')
const { newRecord } = require('./record.cjs')
const BUSY = require('../binding.cjs').constants.errorCodes.BUSY

function toArray (keys) {
  return Array.isArray(keys) ? keys : Array.from(keys)
}

/** The first value in `range` of a store or index (deserialized), or undefined. */
function readValue (native, store, index, range) {
  if (index === null && isOnly(range)) {
    if (native.pointValue !== undefined) {
      // A readonly transaction's (see ReadonlyNative in transaction.cjs).
      const b = native.pointValue(store, range.lower)
      if (b === undefined) return undefined
      return typeof b.then === 'function' ? b.then(valueOf) : deserializeValue(b)
    }
    // A point read on the JS thread when nothing of the transaction is in flight.
    try {
      const bytes = native.getValueSync(store, null, range.lower)
      return bytes === undefined ? undefined : deserializeValue(bytes)
    } catch (err) {
      if (!err || err.code !== BUSY) throw err
    }
    return native.getValue(store, null, range.lower).then((b) => (b === undefined ? undefined : deserializeValue(b)))
  }
  return native.getValue(store, index, undefined, range).then((b) => (b === undefined ? undefined : deserializeValue(b)))
}

function valueOf (bytes) {
  return bytes === undefined ? undefined : deserializeValue(bytes)
}

/** getAll / getAllKeys / getAllRecords of a store or index. */
async function readAll (native, store, index, a, what) {
  if (what === 'keys') return toArray(await native.getAllKeys(store, index, a.range, a.count, a.direction))
  if (what === 'values') return (await native.getAllValues(store, index, a.range, a.count, a.direction)).map(deserializeValue)
  // Records need keys too: a cursor walk of the same range.
  const c = native.cursor(store, index, a.range, a.direction, true)
  const out = []
  const limit = a.count < 0 ? Infinity : a.count
  while (out.length < limit) {
    const chunk = await c.nextv(Math.min(1000, limit - out.length), 1 << 22)
    const pks = chunk.primaryKeys ?? chunk.keys
    for (let i = 0; i < chunk.count; i++) {
      out.push(newRecord(chunk.keys[i], pks[i], deserializeValue(chunk.values[i])))
    }
    if (chunk.done) break
  }
  c.close()
  return out
}

module.exports = { readValue, readAll }
