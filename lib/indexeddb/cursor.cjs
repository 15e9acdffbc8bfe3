'use strict'

// IDBCursor and IDBCursorWithValue (spec §4.10). A cursor reads the native
// cursor in chunks (nextv) and steps through them in JS; a chunk read
// before a write of the same transaction was issued is dropped, and a fresh
// native cursor seeks back to the position, so every step sees the
// transaction's writes placed before it, as the spec requires.

const { domError } = require('./errors.cjs')
const { valueToKey, cmp, extractKey, nativeIndexName, FAILURE, INVALID } = require('./keys.cjs')
const { serializeValue, cloneOf, deserializeValue } = require('./values.cjs')
const { resetRequest } = require('./request.cjs')

const kConstruct = Symbol('flowdb.idb.cursor')
const kState = Symbol('flowdb.idb.cursorState')
const MAX_CHUNK = 256
const CHUNK_BYTES = 1 << 20

/** IDBCursor: a position in an object store or index, without value. */
class IDBCursor {
  constructor (token, state) {
    if (token !== kConstruct) throw new TypeError('Illegal constructor')
    this[kState] = state
  }

  /** The object store or index the cursor iterates. */
  get source () { return this[kState].source }
  /** 'next', 'nextunique', 'prev' or 'prevunique'. */
  get direction () { return this[kState].direction }
  /** The key at the position (index key for index cursors), undefined at the end. */
  get key () { return this[kState].key }
  /** The primary key at the position, undefined at the end. */
  get primaryKey () { return this[kState].primaryKey }
  /** The request that reports the cursor's iterations. */
  get request () { return this[kState].request }

  /**
   * Spec advance(count): moves `count` records on. TypeError for 0;
   * TransactionInactiveError, InvalidStateError as continue().
   */
  advance (count) {
    const n = Number(count)
    if (!Number.isFinite(n) || Math.trunc(n) < 1 || Math.trunc(n) > 0xffffffff) {
      throw new TypeError('advance count must be between 1 and 2^32 - 1')
    }
    const s = this[kState]
    checkIterable(s)
    iterate(s, { n: Math.trunc(n) })
  }

  /**
   * Spec continue(key): moves to the next record, or the first at or beyond
   * `key`. DataError when `key` is not beyond the position.
   */
  continue (key) {
    const s = this[kState]
    checkIterable(s)
    let target = null
    if (key !== undefined) {
      const k = valueToKey(key)
      const c = cmp(k, s.posKey) * s.sign
      if (c <= 0) throw domError('DataError', 'The key is not beyond the cursor position.')
      target = { key: k }
    }
    iterate(s, target)
  }

  /**
   * Spec continuePrimaryKey(key, primaryKey): index cursors in next/prev
   * direction move to the first record at or beyond (key, primaryKey).
   */
  continuePrimaryKey (key, primaryKey) {
    if (arguments.length < 2) throw new TypeError('continuePrimaryKey requires 2 arguments')
    const s = this[kState]
    s.core.assertActive()
    checkDeleted(s)
    if (s.indexMeta === null || (s.direction !== 'next' && s.direction !== 'prev')) {
      throw domError('InvalidAccessError', 'continuePrimaryKey needs an index cursor in next or prev direction.')
    }
    if (!s.gotValue) throw domError('InvalidStateError', 'The cursor is iterating or at its end.')
    const k = valueToKey(key)
    const pk = valueToKey(primaryKey)
    const c = cmp(k, s.posKey) * s.sign
    if (c < 0 || (c === 0 && cmp(pk, s.posPrimaryKey) * s.sign <= 0)) {
      throw domError('DataError', 'The key is not beyond the cursor position.')
    }
    iterate(s, { key: k, primaryKey: pk })
  }

  /** Spec update(value): writes `value` at the cursor's record. Result: its key. */
  update (value) {
    if (arguments.length < 1) throw new TypeError('update requires 1 argument')
    const s = this[kState]
    checkWrite(s)
    const keyPath = s.storeMeta.keyPath
    // One clone serves the key check and the write (spec: the checks run on the clone).
    s.core.state = 'inactive'
    let serialized
    try {
      serialized = serializeValue(value)
    } finally {
      s.core.state = 'active'
    }
    if (keyPath !== null) {
      const k = extractKey(cloneOf(serialized), keyPath)
      if (k === FAILURE || k === INVALID || cmp(k, s.primaryKey) !== 0) {
        throw domError('DataError', 'The value\'s key does not match the cursor\'s primary key.')
      }
    }
    return s.storeHandle.storePut(serialized, s.primaryKey, this)
  }

  /** Spec delete(): deletes the cursor's record. */
  delete () {
    const s = this[kState]
    checkWrite(s)
    return s.storeHandle.storeDelete(s.primaryKey, this)
  }

  get [Symbol.toStringTag] () { return 'IDBCursor' }
}

/** IDBCursorWithValue: a cursor that also reads each record's value. */
class IDBCursorWithValue extends IDBCursor {
  /** The value at the position (one clone, the same object on each read). */
  get value () {
    const s = this[kState]
    if (s.rawValue !== null) {
      s.value = deserializeValue(s.rawValue)
      s.rawValue = null
    }
    return s.value
  }

  get [Symbol.toStringTag] () { return 'IDBCursorWithValue' }
}

function checkDeleted (s) {
  if (s.storeMeta.deleted || (s.indexMeta !== null && s.indexMeta.deleted)) {
    throw domError('InvalidStateError', 'The cursor\'s source was deleted.')
  }
}

function checkIterable (s) {
  s.core.assertActive()
  checkDeleted(s)
  if (!s.gotValue) throw domError('InvalidStateError', 'The cursor is iterating or at its end.')
}

function checkWrite (s) {
  s.core.assertActive()
  s.core.assertWritable()
  checkDeleted(s)
  if (!s.gotValue || s.keyOnly) {
    throw domError('InvalidStateError', 'The cursor has no value (iterating, at its end, or a key cursor).')
  }
}

/**
 * Spec openCursor / openKeyCursor on a store or index: a request whose
 * result is the cursor at its first record, or null.
 */
function openCursor (core, source, storeMeta, indexMeta, range, direction, keyOnly) {
  const s = {
    core,
    source,
    storeMeta,
    indexMeta,
    storeHandle: indexMeta === null ? source : source.objectStore,
    range,
    direction,
    sign: direction.startsWith('prev') ? -1 : 1,
    unique: indexMeta === null || direction.endsWith('unique'),
    keyOnly,
    request: null,
    cursor: null,
    // visible
    key: undefined,
    primaryKey: undefined,
    rawValue: null,
    value: undefined,
    gotValue: false,
    // internal position (the last record stepped to) and read-ahead
    posKey: undefined,
    posPrimaryKey: undefined,
    pending: null,
    native: null,
    buf: null,
    reposition: false,
    chunk: 4
  }
  s.cursor = new (keyOnly ? IDBCursor : IDBCursorWithValue)(kConstruct, s)
  if (core.mode === 'readonly') {
    // A readonly transaction's native cursor may hold a native transaction
    // of its own (see ReadonlyNative in transaction.cjs): one left open
    // ends with the transaction.
    core.onFinish.push(() => {
      if (s.native !== null) s.native.close()
      s.native = null
    })
  }
  s.request = core.request(source, (native) => step(s, native, null), {
    barrier: true, onSettle: (ok) => applyStep(s, ok)
  })
  return s.request
}

// Places the request of a continue / advance.
function iterate (s, target) {
  s.gotValue = false
  resetRequest(s.request)
  s.core.request(s.source, (native) => step(s, native, target), {
    barrier: true, request: s.request, onSettle: (ok) => applyStep(s, ok)
  })
}

// At the request's event: the cursor shows the record the step found.
function applyStep (s, ok) {
  const p = s.pending
  s.pending = null
  if (!ok || p === null) {
    s.key = s.primaryKey = s.value = undefined
    s.rawValue = null
    return
  }
  s.key = p.key
  s.primaryKey = p.primaryKey
  s.rawValue = p.value
  s.value = undefined
  s.gotValue = true
}

// Whether a record (key, pk) is beyond the position in the direction.
function beyond (s, key, pk, posKey, posPk) {
  const c = cmp(key, posKey) * s.sign
  if (c !== 0) return c > 0
  if (s.unique) return false
  return cmp(pk, posPk) * s.sign > 0
}

// Whether a record is at or beyond a continue() target.
function reaches (s, key, pk, target) {
  const c = cmp(key, target.key) * s.sign
  if (c !== 0) return c > 0
  return target.primaryKey === undefined || cmp(pk, target.primaryKey) * s.sign >= 0
}

// Spec "iterate a cursor": the cursor (position found) or null (end),
// synchronously from the read-ahead when it can.
function step (s, native, target) {
  const core = s.core
  if (s.buf !== null && s.buf.seq !== core.writeSeq) {
    // A write was issued after this chunk was read: read again from the position.
    if (s.native !== null) s.native.close()
    s.native = null
    s.buf = null
    s.reposition = s.posKey !== undefined
  }
  let skip = target !== null && target.n !== undefined ? target.n - 1 : 0
  const seekTarget = target !== null && target.key !== undefined ? target : null
  for (;;) {
    const b = s.buf
    if (b !== null) {
      while (b.i < b.count) {
        const i = b.i++
        const key = b.keys[i]
        const pk = b.pks[i]
        if (s.reposition) {
          if (!beyond(s, key, pk, s.posKey, s.posPrimaryKey)) continue
          s.reposition = false
        }
        if (seekTarget !== null && !reaches(s, key, pk, seekTarget)) continue
        if (skip > 0) {
          skip--
          continue
        }
        s.posKey = key
        s.posPrimaryKey = pk
        s.pending = { key, primaryKey: pk, value: s.keyOnly ? null : b.values[i] }
        return s.cursor
      }
      if (b.done) {
        if (s.native !== null) s.native.close()
        s.native = null
        return null
      }
    }
    // Read the next chunk (a fresh native cursor seeks to the position or target).
    let seekKey
    let seekPk
    if (s.native === null) {
      const meta = s.storeMeta
      s.native = native.cursor(meta.name, s.indexMeta === null ? null : nativeIndexName(s.indexMeta.name), s.range, s.direction, true, s.keyOnly)
      const at = seekTarget ?? (s.reposition ? { key: s.posKey, primaryKey: s.unique ? undefined : s.posPrimaryKey } : null)
      if (at !== null) {
        seekKey = at.key
        seekPk = s.indexMeta !== null && !s.unique ? at.primaryKey : undefined
      }
    } else if (seekTarget !== null) {
      seekKey = seekTarget.key
      seekPk = seekTarget.primaryKey
    }
    const seq = core.writeSeq
    const n = s.chunk
    s.chunk = Math.min(s.chunk * 2, MAX_CHUNK)
    const nat = s.native
    const p = seekKey === undefined ? nat.nextv(n, CHUNK_BYTES) : nat.nextv(n, CHUNK_BYTES, seekKey, seekPk)
    return p.then((chunk) => {
      s.buf = { keys: chunk.keys, pks: chunk.primaryKeys ?? chunk.keys, values: chunk.values, count: chunk.count, done: chunk.done, i: 0, seq }
      return step(s, native, restOf(target, skip))
    })
  }
}

// What remains of a target after a chunk: the same seek, or the records
// still to skip for advance().
function restOf (target, skip) {
  if (target === null || target.n === undefined) return target
  return { n: skip + 1 }
}

module.exports = { IDBCursor, IDBCursorWithValue, openCursor }
