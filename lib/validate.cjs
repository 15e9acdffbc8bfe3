'use strict'

// Argument and option checks. Every check throws before any native call:
// a wrong type is a TypeError, a value of the right type outside its range a
// RangeError, and each message names the offending field. Integers count as a
// type of their own, so 1.5, NaN or Infinity where an integer belongs is a
// TypeError, while 2 ** 60 (an integer, too large) is a RangeError.

const path = require('node:path')
const { isUint8Array } = require('node:util').types

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

// "a string", "null", "a number (1.5)": what a value is, for messages.
function describe (value) {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'undefined': return 'undefined'
    case 'string': return 'a string'
    case 'number': return `a number (${value})`
    case 'bigint': return `a bigint (${value}n)`
    case 'boolean': return `a boolean (${value})`
    case 'symbol': return 'a symbol'
    case 'function': return 'a function'
  }
  if (Array.isArray(value)) return 'an array'
  if (isUint8Array(value)) return 'a Uint8Array'
  const tag = Object.prototype.toString.call(value).slice(8, -1)
  return tag === 'Object' ? 'an object' : `an object (${tag})`
}

function isPlainObject (value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isUint8Array(value)
}

// `value` must be undefined or an options object; returns an object to read.
function optionsObject (value, name) {
  if (value === undefined) return EMPTY
  if (!isPlainObject(value)) throw new TypeError(`${name} must be an object, got ${describe(value)}`)
  return value
}
const EMPTY = Object.freeze({})

// Rejects own keys of `obj` that are not in `known` (a Set), suggesting the
// option the caller probably meant: a misspelt option must not pass unnoticed.
function checkKnownKeys (obj, known, where) {
  for (const key of Object.keys(obj)) {
    if (known.has(key)) continue
    const guess = closest(key, known)
    throw new TypeError(`Unknown option '${key}' in ${where}` + (guess ? `; did you mean '${guess}'?` : ''))
  }
}

function closest (name, known) {
  const lower = name.toLowerCase()
  let best = null
  let bestDistance = 3
  for (const candidate of known) {
    const d = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase())
    if (d < bestDistance) { best = candidate; bestDistance = d }
  }
  return best
}

function editDistance (a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = row
  }
  return prev[b.length]
}

function integer (value, name, min, max) {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${name} must be an integer, got ${describe(value)}`)
  }
  if (value < min || value > max) {
    throw new RangeError(`${name} must be between ${min} and ${max}, got ${value}`)
  }
  return value
}

// A duration in milliseconds (fractions allowed): > 0, or ≥ 0 with allowZero.
function duration (value, name, allowZero, max) {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${name} must be a number of milliseconds, got ${describe(value)}`)
  }
  if (!((allowZero ? value >= 0 : value > 0) && value <= max)) {
    const range = allowZero ? `between 0 and ${max}` : `greater than 0 and at most ${max}`
    throw new RangeError(`${name} must be ${range} (ms), got ${value}`)
  }
  return value
}

function boolean (value, name) {
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${describe(value)}`)
  return value
}

function string (value, name) {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${describe(value)}`)
  return value
}

// A directory path: a non-empty string without NUL bytes. Returns it
// resolved against the working directory.
function directory (value, name) {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${name} must be a non-empty string (a directory path), got ${describe(value)}`)
  }
  if (value.includes('\0')) throw new TypeError(`${name} must not contain NUL bytes`)
  return path.resolve(value)
}

function oneOf (value, name, choices) {
  if (typeof value !== 'string') {
    throw new TypeError(`${name} must be one of ${listChoices(choices)}, got ${describe(value)}`)
  }
  if (!choices.includes(value)) {
    throw new RangeError(`${name} must be one of ${listChoices(choices)}, got '${value}'`)
  }
  return value
}

function listChoices (choices) {
  return choices.map((c) => `'${c}'`).join(', ')
}

// A signed 64-bit integer given as a safe-integer number or a bigint.
// Returns it unchanged.
function int64 (value, name) {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return value
    if (!Number.isInteger(value)) {
      throw new TypeError(`${name} must be an integer (a number or a bigint), got ${describe(value)}`)
    }
    throw new RangeError(
      `${name} must be a safe integer (at most 2^53 - 1 in magnitude) when given as a number, ` +
      `got ${value}; pass a bigint for larger values`)
  }
  if (typeof value === 'bigint') {
    if (value >= INT64_MIN && value <= INT64_MAX) return value
    throw new RangeError(`${name} must fit in a signed 64-bit integer, got ${value}n`)
  }
  throw new TypeError(`${name} must be an integer (a number or a bigint), got ${describe(value)}`)
}

// A key: a string (stored as UTF-8) or a Uint8Array of at most maxKeySize
// bytes. Returns the key unchanged.
function key (value, name, maxKeySize) {
  if (typeof value === 'string') {
    // UTF-8 takes between 1 and 3 bytes per UTF-16 unit: measure only when
    // the cheap bounds cannot decide.
    if (value.length * 3 > maxKeySize && (value.length > maxKeySize || Buffer.byteLength(value) > maxKeySize)) {
      throw new RangeError(`${name} must be at most ${maxKeySize} bytes, got ${Buffer.byteLength(value)} bytes`)
    }
    return value
  }
  if (isUint8Array(value)) {
    if (value.length > maxKeySize) {
      throw new RangeError(`${name} must be at most ${maxKeySize} bytes, got ${value.length} bytes`)
    }
    return value
  }
  throw new TypeError(`${name} must be a string or a Uint8Array, got ${describe(value)}`)
}

module.exports = {
  INT64_MIN,
  INT64_MAX,
  describe,
  isPlainObject,
  optionsObject,
  checkKnownKeys,
  integer,
  duration,
  boolean,
  string,
  directory,
  oneOf,
  int64,
  key
}
