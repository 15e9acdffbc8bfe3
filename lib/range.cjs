'use strict'

// Range-bound algebra for scans: key bounds as { bytes, inclusive } (null =
// unbounded), the tighter of two, ts bounds and the limit.

const validate = require('./validate.cjs')
const encoding = require('./encoding.cjs')
const { maxKeySize } = require('./binding.cjs').constants

const TS_RANGE_OPTIONS = new Set(['gt', 'gte', 'lt', 'lte'])

// The tighter of two key bounds ({ bytes, inclusive }, null = unbounded);
// `sign` is 1 for lower bounds, -1 for upper bounds.
function tighter (a, b, sign) {
  if (a === null) return b
  if (b === null) return a
  const cmp = Buffer.compare(a.bytes, b.bytes) * sign
  if (cmp !== 0) return cmp > 0 ? a : b
  return a.inclusive ? b : a
}

// The key bound a range gives with range[exclusiveName] or
// range[inclusiveName] (null if neither); a TypeError if both are given.
function keyBound (range, exclusiveName, inclusiveName) {
  const exclusive = range[exclusiveName]
  const inclusive = range[inclusiveName]
  if (exclusive !== undefined && inclusive !== undefined) {
    throw new TypeError(`range.${exclusiveName} and range.${inclusiveName} cannot both be given`)
  }
  if (exclusive !== undefined) {
    return { bytes: encoding.keyToBytes(validate.key(exclusive, `range.${exclusiveName}`, maxKeySize)), inclusive: false }
  }
  if (inclusive !== undefined) {
    return { bytes: encoding.keyToBytes(validate.key(inclusive, `range.${inclusiveName}`, maxKeySize)), inclusive: true }
  }
  return null
}

// [tsMin, tsMax] as inclusive bigints; tsMin > tsMax means empty.
function tsBounds (ts) {
  if (ts === undefined) return [validate.INT64_MIN, validate.INT64_MAX]
  const t = validate.optionsObject(ts, 'range.ts')
  validate.checkKnownKeys(t, TS_RANGE_OPTIONS, 'range.ts')
  for (const [ex, inc] of [['gt', 'gte'], ['lt', 'lte']]) {
    if (t[ex] !== undefined && t[inc] !== undefined) {
      throw new TypeError(`range.ts.${ex} and range.ts.${inc} cannot both be given`)
    }
  }
  const bound = (name) => encoding.toBigInt(validate.int64(t[name], `range.ts.${name}`))
  let min = validate.INT64_MIN
  let max = validate.INT64_MAX
  if (t.gte !== undefined) min = bound('gte')
  if (t.gt !== undefined) min = bound('gt') + 1n
  if (t.lte !== undefined) max = bound('lte')
  if (t.lt !== undefined) max = bound('lt') - 1n
  return [min, max]
}

// The most records a scan may return: Infinity for undefined, Infinity or -1.
function scanLimit (limit) {
  if (limit === undefined || limit === Infinity || limit === -1) return Infinity
  return validate.integer(limit, 'range.limit', -1, Number.MAX_SAFE_INTEGER)
}

module.exports = { tighter, keyBound, tsBounds, scanLimit }
