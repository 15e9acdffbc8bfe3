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
function toJson (value, what) {
  const t = typeof value
  if (value === undefined || t === 'function' || t === 'symbol' || t === 'bigint') throw unsupported(what, value)
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

class Unsupported {
  constructor (value) { this.value = value }
}

function replacer (key, value) {
  const t = typeof value
  if (t === 'function' || t === 'symbol' || t === 'bigint') throw new Unsupported(value)
  return value
}

module.exports = { toJson }
