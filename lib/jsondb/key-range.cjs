'use strict'

// KeyRange: an interval of keys, as IndexedDB's IDBKeyRange. Bounds are
// copies of the keys given (a later change to a bound array or buffer does
// not move the range). Invalid bounds are FLOWDB_INVALID_KEY, a lower bound
// above the upper bound (or an empty open interval around one key) too, as
// IndexedDB's DataError.

const { FlowDBError } = require('../errors.cjs')
const { errorCodes } = require('../binding.cjs').constants
const { describe } = require('../validate.cjs')
const { toKey, compareKeys } = require('./key.cjs')

const kConstruct = Symbol('flowdb.keyRange.construct')

function flag (value, name) {
  if (value === undefined) return false
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${describe(value)}`)
  return value
}

class KeyRange {
  #lower
  #upper
  #lowerOpen
  #upperOpen

  constructor (token, lower, upper, lowerOpen, upperOpen) {
    if (token !== kConstruct) {
      throw new TypeError('Use KeyRange.only(), bound(), lowerBound() or upperBound() to make a key range')
    }
    this.#lower = lower
    this.#upper = upper
    this.#lowerOpen = lowerOpen
    this.#upperOpen = upperOpen
    Object.freeze(this)
  }

  /** The lower bound, or undefined when the range has none. */
  get lower () { return this.#lower }
  /** The upper bound, or undefined when the range has none. */
  get upper () { return this.#upper }
  /** True when the lower bound itself is outside the range. */
  get lowerOpen () { return this.#lowerOpen }
  /** True when the upper bound itself is outside the range. */
  get upperOpen () { return this.#upperOpen }

  /** The range holding exactly `key`. */
  static only (key) {
    const k = toKey(key, 'KeyRange.only() key', true)
    return new KeyRange(kConstruct, k, k, false, false)
  }

  /** Keys between `lower` and `upper`, each end included unless open. */
  static bound (lower, upper, lowerOpen, upperOpen) {
    const lo = toKey(lower, 'KeyRange.bound() lower', true)
    const hi = toKey(upper, 'KeyRange.bound() upper', true)
    const lOpenFlag = flag(lowerOpen, 'lowerOpen')
    const uOpenFlag = flag(upperOpen, 'upperOpen')
    const cmp = compareKeys(lo, hi)
    if (cmp > 0) {
      throw new FlowDBError('KeyRange.bound(): lower is greater than upper', errorCodes.INVALID_KEY)
    }
    if (cmp === 0 && (lOpenFlag || uOpenFlag)) {
      throw new FlowDBError('KeyRange.bound(): lower equals upper and an end is open, so the range is empty',
        errorCodes.INVALID_KEY)
    }
    return new KeyRange(kConstruct, lo, hi, lOpenFlag, uOpenFlag)
  }

  /** Keys from `lower` up (excluding `lower` itself when open). */
  static lowerBound (lower, open) {
    const lo = toKey(lower, 'KeyRange.lowerBound() lower', true)
    return new KeyRange(kConstruct, lo, undefined, flag(open, 'open'), true)
  }

  /** Keys up to `upper` (excluding `upper` itself when open). */
  static upperBound (upper, open) {
    const hi = toKey(upper, 'KeyRange.upperBound() upper', true)
    return new KeyRange(kConstruct, undefined, hi, true, flag(open, 'open'))
  }

  /**
   * Whether `key` lies in the range. Throws FLOWDB_INVALID_KEY when `key`
   * is not a valid key.
   */
  includes (key) {
    const k = toKey(key, 'KeyRange.includes() key')
    if (this.#lower !== undefined) {
      const c = compareKeys(this.#lower, k)
      if (c > 0 || (c === 0 && this.#lowerOpen)) return false
    }
    if (this.#upper !== undefined) {
      const c = compareKeys(this.#upper, k)
      if (c < 0 || (c === 0 && this.#upperOpen)) return false
    }
    return true
  }

  get [Symbol.toStringTag] () {
    return 'KeyRange'
  }
}

/**
 * A query argument that is a KeyRange or a key (meaning only that key);
 * undefined (when `optional`) means every key. Returns a KeyRange or null.
 */
function toRange (value, what, optional) {
  if (value instanceof KeyRange) return value
  if (value === undefined && optional) return null
  if (value === null && optional) return null
  const k = toKey(value, what)
  return new KeyRange(kConstruct, k, k, false, false)
}

module.exports = { KeyRange, toRange }
