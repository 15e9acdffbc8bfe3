'use strict'

// Conversions between JS values and the bytes the native engine speaks:
// keys, values, 64-bit timestamps, the WriteBatch format and the entries
// returned by NativeIterator.nextv.
//
// WriteBatch (all integers little-endian; varint = LEB128, 7 bits a byte,
// low bits first). The engine parses the same bytes as its WAL payload:
//
//   batch  := sequence:fixed64 (0 here; the engine assigns it) count:fixed32 entry*
//   entry  := 0x00 varint32(keyLen) key ts:fixed64                              (delete)
//           | 0x01 varint32(keyLen) key ts:fixed64 varint32(valueLen) value     (put)
//           | 0x02 varint32(keyLen) key ts:fixed64 expireAt:fixed64
//                  varint32(valueLen) value                                     (put, expiring)
//
// ts and expireAt are two's-complement int64; expireAt is µs since the epoch.
//
// nextv entry (little-endian, entries back to back):
//
//   keyLen:u32 valueLen:u32 ts:i64 expireAt:i64 key value     (expireAt INT64_MAX = never)

const { isUint8Array } = require('node:util').types
const validate = require('./validate.cjs')
const { batchFormat, optionLimits } = require('./binding.cjs').constants

const TWO32 = 2 ** 32
const MAX_SAFE = Number.MAX_SAFE_INTEGER
const TYPE_DELETE = batchFormat.entryTypes.delete
const TYPE_PUT = batchFormat.entryTypes.put
const TYPE_PUT_EXPIRING = batchFormat.entryTypes.putExpiring
const HEADER_SIZE = batchFormat.headerSize

// Longest ttl / defaultTtl accepted, in ms (the engine's limit for its
// default ttl, 100 years): keeps now + ttl a safe integer in µs.
const MAX_TTL_MS = optionLimits.defaultTtlUs.max / 1000

const KEY_ENCODINGS = ['utf8', 'buffer']
const VALUE_ENCODINGS = ['buffer', 'utf8', 'json']

// --- 64-bit integers --------------------------------------------------------

// Writes a safe-integer number or an int64 bigint at buf[off..off+8).
function writeInt64 (buf, off, v) {
  if (typeof v === 'bigint') {
    buf.writeBigInt64LE(v, off)
    return
  }
  const hi = Math.floor(v / TWO32)
  const lo = v - hi * TWO32
  buf[off] = lo
  buf[off + 1] = lo >>> 8
  buf[off + 2] = lo >>> 16
  buf[off + 3] = lo >>> 24
  buf[off + 4] = hi
  buf[off + 5] = hi >>> 8
  buf[off + 6] = hi >>> 16
  buf[off + 7] = hi >>> 24
}

// Reads an int64: a number when it is a safe integer (and asBigint is
// false), else a bigint.
function readInt64 (buf, off, asBigint) {
  if (!asBigint) {
    const n = buf.readInt32LE(off + 4) * TWO32 + buf.readUInt32LE(off)
    if (n >= -MAX_SAFE && n <= MAX_SAFE) return n
  }
  return buf.readBigInt64LE(off)
}

// expireAt as returned to users: null for "never" (INT64_MAX).
function readExpireAt (buf, off, asBigint) {
  if (buf.readInt32LE(off + 4) === 0x7fffffff && buf.readUInt32LE(off) === 0xffffffff) return null
  return readInt64(buf, off, asBigint)
}

// Converts a number|bigint from the native side (ts or expireAt, which the
// binding returns as a number when it is safe) to the caller's type.
function toTimestamp (v, asBigint) {
  return asBigint && typeof v === 'number' ? BigInt(v) : v
}

function toBigInt (v) {
  return typeof v === 'bigint' ? v : BigInt(v)
}

// --- keys and values --------------------------------------------------------

function keyToBytes (key) {
  return typeof key === 'string' ? Buffer.from(key, 'utf8') : key
}

// A key as given by the caller, returned in keyEncoding.
function decodeKeyArgument (key, keyEncoding) {
  if (keyEncoding === 'utf8') return typeof key === 'string' ? key : Buffer.from(key.buffer, key.byteOffset, key.length).toString('utf8')
  return typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key)
}

// A Buffer from the engine, returned in valueEncoding.
function decodeValue (buf, valueEncoding) {
  if (valueEncoding === 'buffer') return buf
  const text = buf.toString('utf8')
  return valueEncoding === 'utf8' ? text : JSON.parse(text)
}

// Decodes buf[start, end) like decodeValue; a 'buffer' result is a copy
// the caller owns (buf may be reused).
function decodeValueAt (buf, start, end, valueEncoding) {
  if (valueEncoding === 'buffer') {
    const out = Buffer.allocUnsafe(end - start)
    buf.copy(out, 0, start, end)
    return out
  }
  const text = buf.toString('utf8', start, end)
  return valueEncoding === 'utf8' ? text : JSON.parse(text)
}

// The bytes a write stores for `value`: the value itself (string or
// Uint8Array), or its JSON text when json is true. Throws if it has neither
// shape.
function encodeValue (value, json, name) {
  if (json) {
    let text
    try {
      text = JSON.stringify(value)
    } catch (err) {
      throw new TypeError(`${name} cannot be encoded as JSON: ${err.message}`, { cause: err })
    }
    if (text === undefined) throw new TypeError(`${name} cannot be encoded as JSON, got ${validate.describe(value)}`)
    return text
  }
  if (typeof value === 'string' || isUint8Array(value)) return value
  throw new TypeError(`${name} must be a string or a Uint8Array, got ${validate.describe(value)}`)
}

// The smallest key greater than every key that starts with `prefix`, or null
// when there is none (the prefix is empty or all 0xff bytes).
function prefixUpperBound (prefix) {
  let end = prefix.length
  while (end > 0 && prefix[end - 1] === 0xff) end--
  if (end === 0) return null
  const upper = Buffer.from(prefix.subarray(0, end))
  upper[end - 1]++
  return upper
}

// --- WriteBatch encoder -----------------------------------------------------

function writeVarint32 (buf, off, v) {
  while (v >= 0x80) {
    buf[off++] = (v & 0x7f) | 0x80
    v >>>= 7
  }
  buf[off++] = v
  return off
}

function isInt64 (v) {
  return typeof v === 'number'
    ? Number.isSafeInteger(v)
    : typeof v === 'bigint' && v >= validate.INT64_MIN && v <= validate.INT64_MAX
}

const INT64_MAX = validate.INT64_MAX

// The expiry (µs since the epoch, int64) a write asks for with `expireAt`
// (Infinity = never) or `ttl` (ms, counted from ts when ttlFromTs, else from
// nowUs). Exactly one of expireAt and ttl is given; the labels name them in
// errors. A ts-based expiry past the int64 range saturates just below never.
function expiryOf (expireAt, ttl, ts, ttlFromTs, nowUs, expireLabel, ttlLabel) {
  if (expireAt !== undefined) return expireAt === Infinity ? INT64_MAX : validate.int64(expireAt, expireLabel)
  validate.duration(ttl, ttlLabel, false, MAX_TTL_MS)
  const ttlUs = Math.max(1, Math.round(ttl * 1000))
  if (!ttlFromTs) return nowUs + ttlUs
  const at = BigInt(ts) + BigInt(ttlUs)
  return at >= INT64_MAX ? INT64_MAX - 1n : at
}

// UTF-8 bytes of recently written short string keys. Time-series writes
// repeat a limited set of series names; a cached copy replaces two native
// calls per record (byteLength and write) with a Map lookup and a copy.
// Bounded: cleared when full.
const KEY_CACHE_MAX_CHARS = 64
const KEY_CACHE_ENTRIES = 4096
const keyBytesCache = new Map()

function cachedKeyBytes (key) {
  let bytes = keyBytesCache.get(key)
  if (bytes === undefined) {
    if (keyBytesCache.size >= KEY_CACHE_ENTRIES) keyBytesCache.clear()
    bytes = Buffer.from(key, 'utf8')
    keyBytesCache.set(key, bytes)
  }
  return bytes
}

// The buffer encodeBatch writes into: one reused scratch buffer up to
// SCRATCH_MAX bytes (the native write copies a batch before it returns, and
// a fresh 16 KiB ArrayBuffer per batch cost more in GC than the encoding),
// a buffer of its own above that.
const SCRATCH_MAX = 1 << 20
let scratch = Buffer.allocUnsafeSlow(64 * 1024)

// A buffer of at least `size` bytes whose first `used` bytes are those of
// buf (a buffer encodeBatch got from here, or null).
function batchBuffer (buf, used, size) {
  if (buf !== null && buf.length >= size) return buf
  let next
  if (size > SCRATCH_MAX) {
    next = Buffer.allocUnsafe(Math.max(size, buf === null ? 0 : 2 * buf.length))
  } else {
    if (scratch.length < size) scratch = Buffer.allocUnsafeSlow(Math.min(SCRATCH_MAX, Math.max(size, 2 * scratch.length)))
    next = scratch
  }
  if (buf !== null && used > 0 && buf !== next) buf.copy(next, 0, 0, used)
  return next
}

// The most bytes one entry's header fields take: type, two varint32 lengths,
// ts and expiry.
const ENTRY_OVERHEAD = 1 + 5 + 8 + 8 + 5

// Encodes write records into one WriteBatch buffer, validating each field.
//
// records: [{ type?: 'put'|'del', key, ts, value?, expireAt?, ttl? }]
// json:    encode values with JSON.stringify
// label:   (index, field) → the field's name in error messages
// limits:  { maxKeySize, maxValueSize } in bytes, and ttlFromTs: whether a
//          `ttl` counts from the record's ts (µs) instead of from now
//
// Expiry: `expireAt` (µs since the epoch, or Infinity for never) or `ttl`
// (ms from now, or from ts) gives a type-2 entry; neither gives type 1, to
// which the engine applies its defaultTtl.
//
// One pass: each record is checked, then written, into a buffer that grows
// when the next entry may not fit. The result may be a view of a scratch
// buffer that the next call reuses: hand it to the native write (which
// copies it) before encoding another.
function encodeBatch (records, json, label, limits) {
  const n = records.length
  const { maxKeySize, maxValueSize, ttlFromTs } = limits
  let buf = batchBuffer(null, 0, HEADER_SIZE + n * (ENTRY_OVERHEAD + 24))
  let off = HEADER_SIZE
  let nowUs = -1

  for (let i = 0; i < n; i++) {
    const r = records[i]
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      throw new TypeError(`${label(i, null)} must be an object, got ${validate.describe(r)}`)
    }
    let key = r.key // UTF-8 bytes, or the string itself when long
    if (typeof key === 'string') {
      if (key.length <= KEY_CACHE_MAX_CHARS) key = cachedKeyBytes(key)
    } else if (!isUint8Array(key)) {
      validate.key(key, label(i, 'key'), maxKeySize)
    }
    const keyLen = typeof key === 'string' ? Buffer.byteLength(key, 'utf8') : key.length
    if (keyLen > maxKeySize) validate.key(r.key, label(i, 'key'), maxKeySize)
    const ts = r.ts
    if (!isInt64(ts)) validate.int64(ts, label(i, 'ts'))

    const type = r.type
    let entryType = TYPE_DELETE
    let value = null
    let valueLen = 0
    let expiry = 0
    if (type !== 'del') {
      if (type !== undefined && type !== 'put') {
        validate.oneOf(type, label(i, 'type'), ['put', 'del'])
      }
      value = r.value
      if (json || (typeof value !== 'string' && !isUint8Array(value))) value = encodeValue(value, json, label(i, 'value'))
      valueLen = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length
      if (valueLen > maxValueSize) {
        throw new RangeError(`${label(i, 'value')} must be at most ${maxValueSize} bytes, got ${valueLen} bytes`)
      }
      const { expireAt, ttl } = r
      if (expireAt === undefined && ttl === undefined) {
        entryType = TYPE_PUT
      } else {
        if (expireAt !== undefined && ttl !== undefined) {
          throw new TypeError(`${label(i, 'expireAt')} and ${label(i, 'ttl')} cannot both be given`)
        }
        if (ttl !== undefined && !ttlFromTs && nowUs < 0) nowUs = Date.now() * 1000
        expiry = expiryOf(expireAt, ttl, ts, ttlFromTs, nowUs, label(i, 'expireAt'), label(i, 'ttl'))
        entryType = TYPE_PUT_EXPIRING
      }
    }

    const need = off + ENTRY_OVERHEAD + keyLen + valueLen
    if (need > buf.length) buf = batchBuffer(buf, off, need)
    buf[off++] = entryType
    off = writeVarint32(buf, off, keyLen)
    if (typeof key === 'string') buf.write(key, off, keyLen, 'utf8')
    else buf.set(key, off)
    off += keyLen
    writeInt64(buf, off, ts)
    off += 8
    if (entryType === TYPE_DELETE) continue
    if (entryType === TYPE_PUT_EXPIRING) {
      writeInt64(buf, off, expiry)
      off += 8
    }
    off = writeVarint32(buf, off, valueLen)
    if (typeof value === 'string') buf.write(value, off, valueLen, 'utf8')
    else buf.set(value, off)
    off += valueLen
  }

  buf.fill(0, 0, 8)
  buf.writeUInt32LE(n, 8)
  return buf.subarray(0, off)
}

module.exports = {
  KEY_ENCODINGS,
  VALUE_ENCODINGS,
  MAX_TTL_MS,
  HEADER_SIZE,
  writeInt64,
  readInt64,
  readExpireAt,
  toTimestamp,
  toBigInt,
  keyToBytes,
  decodeKeyArgument,
  decodeValue,
  decodeValueAt,
  encodeValue,
  prefixUpperBound,
  expiryOf,
  encodeBatch
}
