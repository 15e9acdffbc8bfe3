'use strict'

// IDBKeyRange (spec §4.8): an interval of keys. Bounds are converted
// (copied) keys; the native store reads lower/upper/lowerOpen/upperOpen.

const { valueToKey, cmp } = require('./keys.cjs')
const { domError } = require('./errors.cjs')

const kConstruct = Symbol('flowdb.idb.keyRange')

/** IDBKeyRange: lower/upper bounds, each open or closed, or absent. */
class IDBKeyRange {
  #lower
  #upper
  #lowerOpen
  #upperOpen

  constructor (token, lower, upper, lowerOpen, upperOpen) {
    if (token !== kConstruct) throw new TypeError('Illegal constructor')
    this.#lower = lower
    this.#upper = upper
    this.#lowerOpen = lowerOpen
    this.#upperOpen = upperOpen
  }

  /** The lower bound, or undefined. */
  get lower () { return this.#lower }
  /** The upper bound, or undefined. */
  get upper () { return this.#upper }
  /** Whether the lower bound is excluded. */
  get lowerOpen () { return this.#lowerOpen }
  /** Whether the upper bound is excluded. */
  get upperOpen () { return this.#upperOpen }

  /** Spec only(value): the range of one key. Throws DataError. */
  static only (value) {
    if (arguments.length < 1) throw new TypeError('IDBKeyRange.only requires 1 argument')
    const k = valueToKey(value)
    return new IDBKeyRange(kConstruct, k, k, false, false)
  }

  /** Spec lowerBound(lower, open = false). Throws DataError. */
  static lowerBound (lower, open = false) {
    if (arguments.length < 1) throw new TypeError('IDBKeyRange.lowerBound requires 1 argument')
    return new IDBKeyRange(kConstruct, valueToKey(lower), undefined, Boolean(open), true)
  }

  /** Spec upperBound(upper, open = false). Throws DataError. */
  static upperBound (upper, open = false) {
    if (arguments.length < 1) throw new TypeError('IDBKeyRange.upperBound requires 1 argument')
    return new IDBKeyRange(kConstruct, undefined, valueToKey(upper), true, Boolean(open))
  }

  /**
   * Spec bound(lower, upper, lowerOpen, upperOpen). Throws DataError for
   * invalid keys, lower > upper, or an empty range around one key.
   */
  static bound (lower, upper, lowerOpen = false, upperOpen = false) {
    if (arguments.length < 2) throw new TypeError('IDBKeyRange.bound requires 2 arguments')
    const lo = valueToKey(lower)
    const hi = valueToKey(upper)
    const c = cmp(lo, hi)
    if (c > 0 || (c === 0 && (lowerOpen || upperOpen))) {
      throw domError('DataError', 'The lower key is greater than the upper key, or the range is empty.')
    }
    return new IDBKeyRange(kConstruct, lo, hi, Boolean(lowerOpen), Boolean(upperOpen))
  }

  /** Spec includes(key): whether `key` lies in the range. Throws DataError. */
  includes (key) {
    if (arguments.length < 1) throw new TypeError('IDBKeyRange.includes requires 1 argument')
    const k = valueToKey(key)
    return rangeIncludes(this, k)
  }

  get [Symbol.toStringTag] () { return 'IDBKeyRange' }
}

/** Whether converted key `k` lies in `range` (an IDBKeyRange). */
function rangeIncludes (range, k) {
  if (range.lower !== undefined) {
    const c = cmp(range.lower, k)
    if (c > 0 || (c === 0 && range.lowerOpen)) return false
  }
  if (range.upper !== undefined) {
    const c = cmp(range.upper, k)
    if (c < 0 || (c === 0 && range.upperOpen)) return false
  }
  return true
}

/**
 * Spec "convert a value to a key range": an IDBKeyRange as is, a key as
 * only(key), null/undefined as null (every key) unless `nullDisallowed`.
 * Throws DataError.
 */
function toKeyRange (value, nullDisallowed = false) {
  if (value instanceof IDBKeyRange) return value
  if (value === null || value === undefined) {
    if (nullDisallowed) throw domError('DataError', 'No key or key range specified.')
    return null
  }
  const k = valueToKey(value)
  return new IDBKeyRange(kConstruct, k, k, false, false)
}

/** Whether `range` is a single-key range (only()); gives a native point read. */
function isOnly (range) {
  return range !== null && range.lower !== undefined && range.upper !== undefined &&
    !range.lowerOpen && !range.upperOpen && cmp(range.lower, range.upper) === 0
}

module.exports = { IDBKeyRange, toKeyRange, rangeIncludes, isOnly }
