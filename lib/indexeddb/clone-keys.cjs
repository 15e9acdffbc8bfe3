'use strict'

// Key paths evaluated on a structured clone's serialized bytes (the V8
// value-serializer wire format that serializeValue() writes), without
// deserializing the clone. The spec extracts keys from the clone; the clone
// is exactly what the bytes denote, so reading the bytes gives the same key
// as reading a deserialized copy. Only the plain cases are read here: a
// path through plain objects ending at a number, string, Date, boolean,
// null, undefined or plain object. Anything else met on the way (arrays,
// binary, host objects, references, BigInts, an unknown tag) answers
// UNKNOWN, and the caller deserializes the clone and uses the general code.

const { toKey, isKey } = require('../jsondb/key.cjs')
const { FAILURE, INVALID } = require('./keys.cjs')

/** The answer when the bytes hold something this reader does not decode. */
const UNKNOWN = Symbol('unknown')

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

// Wire format tags (V8 SerializationTag).
const T_PADDING = 0x00
const T_UNDEFINED = 0x5f // '_'
const T_NULL = 0x30 // '0'
const T_TRUE = 0x54 // 'T'
const T_FALSE = 0x46 // 'F'
const T_INT32 = 0x49 // 'I'
const T_UINT32 = 0x55 // 'U'
const T_DOUBLE = 0x4e // 'N'
const T_UTF8 = 0x53 // 'S'
const T_ONE_BYTE = 0x22 // '"'
const T_TWO_BYTE = 0x63 // 'c'
const T_REFERENCE = 0x5e // '^'
const T_BEGIN_OBJECT = 0x6f // 'o'
const T_END_OBJECT = 0x7b // '{'
const T_BEGIN_SPARSE = 0x61 // 'a'
const T_END_SPARSE = 0x40 // '@'
const T_BEGIN_DENSE = 0x41 // 'A'
const T_END_DENSE = 0x24 // '$'
const T_HOLE = 0x2d // '-'
const T_DATE = 0x44 // 'D'
const T_VERSION = 0xff
// The wire format versions this reader knows (Node 18 to 22 write 15); a
// newer V8 may change tags or layouts, so its bytes answer UNKNOWN.
const MIN_VERSION = 13
const MAX_VERSION = 15

// The reader's position (one reader at a time: no re-entrance).
let pos = 0

function varint (b) {
  let n = 0
  let mul = 1
  for (;;) {
    if (pos >= b.length) return -1
    const byte = b[pos++]
    n += (byte & 0x7f) * mul
    if (byte < 0x80) return n
    mul *= 128
    if (mul > 2 ** 49) return -1
  }
}

// Skips padding; returns the tag at the position (not consumed) or -1 at the end.
function peekTag (b) {
  while (pos < b.length && b[pos] === T_PADDING) pos++
  return pos < b.length ? b[pos] : -1
}

// Skips one value; false when it holds something not handled here.
function skipValue (b) {
  const tag = peekTag(b)
  pos++
  switch (tag) {
    case T_UNDEFINED: case T_NULL: case T_TRUE: case T_FALSE:
      return true
    case T_INT32: case T_UINT32: case T_REFERENCE:
      return varint(b) >= 0
    case T_DOUBLE: case T_DATE:
      pos += 8
      return pos <= b.length
    case T_UTF8: case T_ONE_BYTE: case T_TWO_BYTE: {
      const n = varint(b)
      if (n < 0) return false
      pos += n
      return pos <= b.length
    }
    case T_BEGIN_OBJECT:
      return skipProperties(b, T_END_OBJECT) && varint(b) >= 0
    case T_BEGIN_SPARSE:
      return varint(b) >= 0 && skipProperties(b, T_END_SPARSE) && varint(b) >= 0 && varint(b) >= 0
    case T_BEGIN_DENSE: {
      const n = varint(b)
      if (n < 0) return false
      for (let i = 0; i < n; i++) {
        if (peekTag(b) === T_HOLE) pos++
        else if (!skipValue(b)) return false
      }
      return skipProperties(b, T_END_DENSE) && varint(b) >= 0 && varint(b) >= 0
    }
    default:
      return false
  }
}

// Skips key/value pairs up to and including the end tag `end` (its counts not read).
function skipProperties (b, end) {
  for (;;) {
    const tag = peekTag(b)
    if (tag === -1) return false
    if (tag === end) {
      pos++
      return true
    }
    if (!skipValue(b) || !skipValue(b)) return false
  }
}

// A string value at the position (tag consumed here), or UNKNOWN.
function readString (b, tag) {
  const n = varint(b)
  if (n < 0 || pos + n > b.length) return UNKNOWN
  const start = pos
  pos += n
  if (tag === T_ONE_BYTE) return b.latin1Slice(start, pos)
  if (tag === T_TWO_BYTE) return b.ucs2Slice(start, pos)
  return b.utf8Slice(start, pos)
}

// Inside an object (after its begin tag): moves to the value of own
// property `name`. Returns true (positioned at the value), FAILURE when the
// object has no such property, or UNKNOWN.
function findProperty (b, name) {
  for (;;) {
    const tag = peekTag(b)
    if (tag === -1) return UNKNOWN
    if (tag === T_END_OBJECT) return FAILURE
    if (tag === T_ONE_BYTE || tag === T_TWO_BYTE || tag === T_UTF8) {
      pos++
      const key = readString(b, tag)
      if (key === UNKNOWN) return UNKNOWN
      if (key === name) return true
    } else if (!skipValue(b)) {
      // Integer keys ('I', 'U', 'N') are never identifiers: skipped.
      return UNKNOWN
    }
    if (!skipValue(b)) return UNKNOWN
  }
}

// The primitive (or Date) at the position, INVALID for a plain object, or UNKNOWN.
function readLeaf (b) {
  const tag = peekTag(b)
  pos++
  switch (tag) {
    case T_UNDEFINED: return undefined
    case T_NULL: return null
    case T_TRUE: return true
    case T_FALSE: return false
    case T_INT32: {
      const n = varint(b)
      if (n < 0) return UNKNOWN
      return n % 2 === 0 ? n / 2 : -(n + 1) / 2
    }
    case T_UINT32: {
      const n = varint(b)
      return n < 0 ? UNKNOWN : n
    }
    case T_DOUBLE: case T_DATE: {
      if (!LITTLE_ENDIAN || pos + 8 > b.length) return UNKNOWN
      const d = b.readDoubleLE(pos)
      pos += 8
      return tag === T_DATE ? new Date(d) : d
    }
    case T_UTF8: case T_ONE_BYTE: case T_TWO_BYTE:
      return readString(b, tag)
    case T_BEGIN_OBJECT:
      // A plain object is never a key (and has no 'length' special case).
      return INVALID
    default:
      return UNKNOWN
  }
}

// Spec "evaluate a key path on a value" for one string path on the bytes:
// the value, INVALID (a plain object), FAILURE or UNKNOWN.
function evaluatePath (b, path) {
  pos = 0
  if (b.length < 2 || b[0] !== T_VERSION) return UNKNOWN
  pos = 1
  const version = varint(b)
  if (version < MIN_VERSION || version > MAX_VERSION) return UNKNOWN
  if (path === '') return readLeaf(b)
  const ids = path.split('.')
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]
    const tag = peekTag(b)
    if (tag === T_BEGIN_OBJECT) {
      pos++
      const found = findProperty(b, id)
      if (found !== true) return found
      continue
    }
    if (tag === T_ONE_BYTE || tag === T_TWO_BYTE || tag === T_UTF8) {
      // A string's 'length' (spec: a String value's length property).
      pos++
      const s = readString(b, tag)
      if (s === UNKNOWN || id !== 'length') return s === UNKNOWN ? UNKNOWN : FAILURE
      if (i !== ids.length - 1) return FAILURE // a number has no properties
      return s.length
    }
    // Primitives have no own properties; objects of other kinds may.
    if (tag === T_UNDEFINED || tag === T_NULL || tag === T_TRUE || tag === T_FALSE ||
        tag === T_INT32 || tag === T_UINT32 || tag === T_DOUBLE) return FAILURE
    return UNKNOWN
  }
  return readLeaf(b)
}

/**
 * Spec "extract a key from a value using a key path" on serialized clone
 * bytes (a Buffer from serializeValue without blobs): the key, FAILURE,
 * INVALID, or UNKNOWN when the caller must use the deserialized clone.
 * `multiEntry`: an array value answers UNKNOWN (the caller handles it).
 */
function extractKeyFromBytes (bytes, keyPath) {
  let r
  if (Array.isArray(keyPath)) {
    r = []
    for (let i = 0; i < keyPath.length; i++) {
      const v = evaluatePath(bytes, keyPath[i])
      if (v === UNKNOWN || v === FAILURE) return v
      if (v === INVALID) return INVALID // an object element: the array is no key
      r.push(v)
    }
  } else {
    r = evaluatePath(bytes, keyPath)
    if (r === UNKNOWN || r === FAILURE || r === INVALID) return r
    // The common keys need no conversion (toKey returns them as they are).
    if (typeof r === 'string') return r
    if (typeof r === 'number') return Number.isNaN(r) ? INVALID : r
  }
  if (!isKey(r)) return INVALID
  return toKey(r, 'key', true)
}

module.exports = { extractKeyFromBytes, UNKNOWN }
