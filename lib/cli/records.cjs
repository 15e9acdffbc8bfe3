'use strict'

// The NDJSON line formats of the flowdb command: engine records (dump, load,
// get, scan) and document-store keys (export, import of stores without a key
// path). Both round-trip exactly.
//
// Engine record, one JSON object a line:
//
//   {"key":"sensor/1","ts":1700000000000000,"value":"21.5","expireAt":null}
//   {"keyBase64":"AP8=","ts":"-9223372036854775808","valueBase64":"AAEC","expireAt":1800000000000000}
//
// - key / value: the bytes as a string when they are valid UTF-8, else
//   keyBase64 / valueBase64 (standard base64) instead; exactly one of each
//   pair is present.
// - ts, expireAt: integers; a JSON number when within ±(2^53 − 1), else a
//   decimal string (JSON numbers beyond that lose precision in most
//   parsers). expireAt is µs since the epoch, or null for never.
//
// Document-store key (IndexedDB key) as JSON: numbers and strings as
// themselves, arrays element by element, and the rest as one-field objects,
// which no key can be: {"date": ms} for a Date, {"binary": base64} for
// binary, {"number": "Infinity" | "-Infinity"} for the infinities.

const { isUtf8 } = require('node:buffer')

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const DECIMAL = /^-?(0|[1-9][0-9]*)$/
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const RECORD_FIELDS = new Set(['key', 'keyBase64', 'ts', 'value', 'valueBase64', 'expireAt'])

/** An int64 (number or bigint) as JSON: a number when safe, else a decimal string. */
function int64ToJson (v) {
  return typeof v === 'bigint' ? String(v) : v
}

/**
 * The NDJSON line (without newline) of an engine record whose key and value
 * are Buffers and ts / expireAt numbers, bigints or (expireAt) null.
 */
function recordToLine (r) {
  const key = isUtf8(r.key) ? `"key":${JSON.stringify(r.key.toString('utf8'))}` : `"keyBase64":"${r.key.toString('base64')}"`
  const value = isUtf8(r.value) ? `"value":${JSON.stringify(r.value.toString('utf8'))}` : `"valueBase64":"${r.value.toString('base64')}"`
  const expireAt = r.expireAt === null ? 'null' : JSON.stringify(int64ToJson(r.expireAt))
  return `{${key},"ts":${JSON.stringify(int64ToJson(r.ts))},${value},"expireAt":${expireAt}}`
}

/** The bytes of a base64 field; a TypeError naming `name` unless it is canonical base64. */
function base64Field (s, name) {
  if (typeof s !== 'string' || !BASE64.test(s)) throw new TypeError(`${name} must be a base64 string`)
  return Buffer.from(s, 'base64')
}

/** An int64 field (a safe-integer number or a decimal string) as a number or bigint. */
function int64Field (v, name) {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return v
    throw new TypeError(`${name} must be an integer within ±(2^53 - 1) or a decimal string, got ${v}`)
  }
  if (typeof v === 'string' && DECIMAL.test(v)) {
    const n = BigInt(v)
    if (n >= INT64_MIN && n <= INT64_MAX) return n
    throw new RangeError(`${name} is outside the signed 64-bit range: ${v}`)
  }
  throw new TypeError(`${name} must be an integer or a decimal string, got ${JSON.stringify(v)}`)
}

// The bytes of the text field `name` or of its base64 twin: exactly one.
function bytesField (o, name) {
  const text = o[name]
  const b64 = o[`${name}Base64`]
  if ((text === undefined) === (b64 === undefined)) throw new TypeError(`needs exactly one of "${name}" and "${name}Base64"`)
  if (b64 !== undefined) return base64Field(b64, `${name}Base64`)
  if (typeof text !== 'string') throw new TypeError(`"${name}" must be a string`)
  return Buffer.from(text, 'utf8')
}

/**
 * Parses one NDJSON line into a write record for engine.writeBatch():
 * { key: Buffer, ts, value: Buffer, expireAt } with expireAt Infinity for
 * never (so that the engine's defaultTtl does not apply). Throws a
 * SyntaxError, TypeError or RangeError describing what is wrong.
 */
function lineToRecord (line) {
  const o = JSON.parse(line)
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new TypeError('a record must be a JSON object')
  for (const name of Object.keys(o)) {
    if (!RECORD_FIELDS.has(name)) throw new TypeError(`unknown field "${name}"`)
  }
  if (o.ts === undefined) throw new TypeError('"ts" is missing')
  return {
    key: bytesField(o, 'key'),
    ts: int64Field(o.ts, 'ts'),
    value: bytesField(o, 'value'),
    expireAt: o.expireAt === undefined || o.expireAt === null ? Infinity : int64Field(o.expireAt, 'expireAt')
  }
}

/** A document-store key as JSON-ready data (see the file comment). */
function docKeyToJson (key) {
  if (typeof key === 'string') return key
  if (typeof key === 'number') return Number.isFinite(key) ? key : { number: String(key) }
  if (key instanceof Date) return { date: key.getTime() }
  if (Array.isArray(key)) return key.map(docKeyToJson)
  const bytes = key instanceof ArrayBuffer ? Buffer.from(key) : Buffer.from(key.buffer, key.byteOffset, key.byteLength)
  return { binary: bytes.toString('base64') }
}

/** The document-store key that docKeyToJson(key) gave; a TypeError for anything else. */
function jsonToDocKey (v) {
  if (typeof v === 'string' || typeof v === 'number') return v
  if (Array.isArray(v)) return v.map(jsonToDocKey)
  if (typeof v === 'object' && v !== null) {
    const names = Object.keys(v)
    if (names.length === 1) {
      if (names[0] === 'date' && Number.isFinite(v.date)) return new Date(v.date)
      if (names[0] === 'binary') return new Uint8Array(base64Field(v.binary, 'key.binary'))
      if (names[0] === 'number' && (v.number === 'Infinity' || v.number === '-Infinity')) return Number(v.number)
    }
  }
  throw new TypeError(`not a key: ${JSON.stringify(v)} (keys are numbers, strings, arrays, {"date": ms}, {"binary": base64} or {"number": "Infinity"|"-Infinity"})`)
}

module.exports = { recordToLine, lineToRecord, int64Field, base64Field, docKeyToJson, jsonToDocKey }
