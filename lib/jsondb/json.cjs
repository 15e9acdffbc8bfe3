'use strict'

// Documents cross to native code as JSON text. A value JSON cannot carry
// faithfully is refused here, before anything is written: undefined (or a
// symbol) at the top, a function, a symbol or a BigInt anywhere, a cycle.
// Object properties whose value is undefined are left out, as JSON.stringify
// does; toJSON() methods (Date's included) apply.

const { describe } = require('../validate.cjs')

function unsupported (what, value) {
  return new TypeError(`${what} cannot be stored as JSON: it holds ${describe(value)}`)
}

// JSON.stringify drops functions and symbols silently and throws its own
// TypeError for BigInt; the replacer turns all three into one clear error.
// Cycles make JSON.stringify throw a TypeError, rethrown with `what`.
// `what` names the value in errors; with `index` (an element of a batch) the
// name is `what[index]`, built only when an error needs it.
function toJson (value, what, index) {
  const t = typeof value
  // The replacer costs V8 its fast path (about 3x per document): plain data
  // is checked by a walk instead, and JSON.stringify then runs without one.
  if (t === 'object' && plainData(value, 0)) return JSON.stringify(value)
  if (index !== undefined) what = `${what}[${index}]`
  if (value === undefined || t === 'function' || t === 'symbol' || t === 'bigint') throw unsupported(what, value)
  if (plainData(value, 0)) return JSON.stringify(value)
  let text
  try {
    text = JSON.stringify(value, replacer)
  } catch (err) {
    if (err instanceof Unsupported) throw unsupported(what, err.value)
    if (err instanceof TypeError) throw new TypeError(`${what} cannot be stored as JSON: ${err.message}`, { cause: err })
    throw err
  }
  if (text === undefined) throw unsupported(what, value) // a toJSON() that returned undefined
  return text
}

// True when `v` holds only what JSON.stringify carries faithfully without a
// replacer: strings, numbers, booleans, null, undefined as an object
// property or array element (left out, or null, as JSON.stringify does),
// arrays and plain objects (prototype Object.prototype or null) without
// toJSON, nested at most 64 deep. Anything else (Dates, class instances,
// deep or cyclic data, functions, symbols, BigInts) takes the checked path.
function plainData (v, depth) {
  switch (typeof v) {
    case 'string': case 'number': case 'boolean': case 'undefined': return true
    case 'object': break
    default: return false
  }
  if (v === null) return true
  if (depth > 64) return false
  const proto = Object.getPrototypeOf(v)
  if (proto === Array.prototype) {
    for (let i = 0; i < v.length; i++) if (!plainData(v[i], depth + 1)) return false
    return true
  }
  if ((proto !== Object.prototype && proto !== null) || 'toJSON' in v) return false
  for (const k in v) if (!plainData(v[k], depth + 1)) return false
  return true
}

class Unsupported {
  constructor (value) { this.value = value }
}

function replacer (key, value) {
  const t = typeof value
  if (t === 'function' || t === 'symbol' || t === 'bigint') throw new Unsupported(value)
  return value
}

module.exports = { toJson }
