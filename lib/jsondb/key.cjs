'use strict'

// Keys of the document store, as IndexedDB defines them: a number (not NaN),
// a Date with a valid time, a string, binary (an ArrayBuffer or a view of
// one), or an array of keys. This module checks a JS value against the
// IndexedDB "convert a value to a key" rules and compares keys in IndexedDB
// order (Number < Date < String < Binary < Array; strings by UTF-16 code
// units, binary bytewise, arrays element by element). The byte encoding of
// keys lives in C++ (src/doc/key_codec.h); this order is the one it
// preserves.

const { FlowDBError } = require('../errors.cjs')
const { errorCodes } = require('../binding.cjs').constants
const { describe } = require('../validate.cjs')
const { isProxy } = require('node:util').types

// Key types, in IndexedDB order.
const NUMBER = 0
const DATE = 1
const STRING = 2
const BINARY = 3
const ARRAY = 4

const INVALID = Symbol('invalid key')

function invalidKey (what, value, why) {
  return new FlowDBError(`${what} is not a valid key (${why ?? describe(value)})`, errorCodes.INVALID_KEY)
}

// Whether an ArrayBuffer is detached (Node 20 has no .detached: a view
// over a detached buffer cannot be made).
function isDetached (buffer) {
  if (typeof buffer.detached === 'boolean') return buffer.detached
  if (buffer.byteLength !== 0 || !(buffer instanceof ArrayBuffer)) return false
  try {
    void new Uint8Array(buffer)
    return false
  } catch {
    return true
  }
}

function isBufferSource (value) {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value)
}

// The key `value` denotes, or INVALID. `copy` makes binary keys fresh
// ArrayBuffers and Dates fresh Dates (for values kept beyond the call, such
// as key range bounds); otherwise the value itself is returned when valid.
// `stack` (a Set, untouched by Array.prototype) holds the arrays being
// converted (a cycle is invalid).
function convert (value, copy, stack) {
  switch (typeof value) {
    case 'number':
      return Number.isNaN(value) ? INVALID : value
    case 'string':
      return value
    case 'object':
      break
    default:
      return INVALID
  }
  if (value === null) return INVALID
  if (value instanceof Date) {
    const time = value.getTime()
    if (Number.isNaN(time)) return INVALID
    return copy ? new Date(time) : value
  }
  if (isBufferSource(value)) {
    // A detached buffer is not a key.
    if (isDetached(value instanceof ArrayBuffer ? value : value.buffer)) return INVALID
    if (!copy) return value
    const bytes = value instanceof ArrayBuffer
      ? new Uint8Array(value)
      : new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
    return bytes.slice().buffer
  }
  // A Proxy of an array is not an Array exotic object: not a key.
  if (!Array.isArray(value) || isProxy(value)) return INVALID
  if (stack.has(value)) return INVALID
  stack.add(value)
  const n = value.length
  const out = copy ? new Array(n) : value
  for (let i = 0; i < n; i++) {
    // A hole is not a key (the spec's HasOwnProperty check).
    if (!Object.prototype.hasOwnProperty.call(value, i)) return INVALID
    const k = convert(value[i], copy, stack)
    if (k === INVALID) return INVALID
    // Defined, not assigned: a setter on Array.prototype must not see key copies.
    if (copy) Object.defineProperty(out, i, { value: k, writable: true, enumerable: true, configurable: true })
  }
  stack.delete(value)
  return out
}

/**
 * Checks that `value` is a valid key and returns it (a copy when `copy` is
 * true). Throws FlowDBError FLOWDB_INVALID_KEY naming `what` otherwise.
 */
function toKey (value, what, copy = false) {
  const k = convert(value, copy, new Set())
  if (k === INVALID) throw invalidKey(what, value, reasonFor(value))
  return k
}

/** Whether `value` is a valid key. */
function isKey (value) {
  return convert(value, false, new Set()) !== INVALID
}

// Why a value is not a key, for the message.
function reasonFor (value) {
  if (typeof value === 'number') return 'NaN'
  if (value instanceof Date) return 'an invalid Date'
  if (Array.isArray(value)) return 'an array holding a hole, a cycle or an element that is not a key'
  return describe(value)
}

function typeOf (key) {
  if (typeof key === 'number') return NUMBER
  if (typeof key === 'string') return STRING
  if (key instanceof Date) return DATE
  if (Array.isArray(key)) return ARRAY
  return BINARY
}

function bytesOf (key) {
  return key instanceof ArrayBuffer
    ? new Uint8Array(key)
    : new Uint8Array(key.buffer, key.byteOffset, key.byteLength)
}

/**
 * Compares two valid keys in IndexedDB order: negative, 0 or positive.
 * (-0 and 0 are the same key.)
 */
function compareKeys (a, b) {
  const ta = typeOf(a)
  const tb = typeOf(b)
  if (ta !== tb) return ta - tb
  switch (ta) {
    case NUMBER:
      return a < b ? -1 : a > b ? 1 : 0
    case DATE: {
      const x = a.getTime()
      const y = b.getTime()
      return x < y ? -1 : x > y ? 1 : 0
    }
    case STRING:
      // JS string comparison is by UTF-16 code units, as IndexedDB's.
      return a < b ? -1 : a > b ? 1 : 0
    case BINARY: {
      const x = bytesOf(a)
      const y = bytesOf(b)
      const n = Math.min(x.length, y.length)
      for (let i = 0; i < n; i++) {
        if (x[i] !== y[i]) return x[i] - y[i]
      }
      return x.length - y.length
    }
    default: {
      const n = Math.min(a.length, b.length)
      for (let i = 0; i < n; i++) {
        const c = compareKeys(a[i], b[i])
        if (c !== 0) return c
      }
      return a.length - b.length
    }
  }
}

module.exports = { toKey, isKey, compareKeys, invalidKey }
