'use strict'

// IndexedDB keys and key paths in JS (spec §2.5 keys, §2.6 key paths,
// §7 "extract a key from a value using a key path", "inject a key into a
// value"). Key validity and order come from the document store's key module
// (one key model for JsonDB and IndexedDB); errors here are DOMExceptions.

const { toKey, isKey, compareKeys } = require('../jsondb/key.cjs')
const { domError } = require('./errors.cjs')
const INVALID_KEY = require('../binding.cjs').constants.errorCodes.INVALID_KEY

/**
 * Spec "convert a value to a key": the key `value` denotes, as a fresh
 * value (Dates and binary copied, binary as an ArrayBuffer, arrays copied).
 * Throws DataError when `value` is not a valid key.
 */
function valueToKey (value, what = 'The parameter') {
  try {
    return toKey(value, what, true)
  } catch (err) {
    // An exception from a getter of the value propagates as is.
    if (err === null || typeof err !== 'object' || err.code !== INVALID_KEY) throw err
    throw domError('DataError', `${what} is not a valid key.`)
  }
}

/** Spec "compare two keys" on valid keys: -1, 0 or 1. */
function cmp (a, b) {
  const c = compareKeys(a, b)
  return c < 0 ? -1 : c > 0 ? 1 : 0
}

// ECMAScript IdentifierName, as the spec's valid key path requires.
const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u

function isValidPathString (path) {
  if (path === '') return true
  return path.split('.').every((part) => IDENTIFIER.test(part))
}

/**
 * Normalizes a key path argument (spec "valid key path"): a string, or a
 * sequence of strings (copied as an array). Throws SyntaxError
 * DOMException when invalid. null/undefined give null (no key path).
 */
function toKeyPath (keyPath) {
  if (keyPath === null || keyPath === undefined) return null
  if (Array.isArray(keyPath)) {
    const paths = Array.from(keyPath, (p) => String(p))
    if (paths.length === 0 || !paths.every(isValidPathString)) throw domError('SyntaxError', 'The key path is not valid.')
    return paths
  }
  const path = String(keyPath)
  if (!isValidPathString(path)) throw domError('SyntaxError', 'The key path is not valid.')
  return path
}

const FAILURE = Symbol('failure')

// Spec "evaluate a key path on a value" for one string path; FAILURE when
// a step does not exist.
function evaluatePath (value, path) {
  if (path === '') return value
  let v = value
  for (const id of path.split('.')) {
    if (typeof v === 'string' && id === 'length') {
      v = v.length
    } else if (Array.isArray(v) && id === 'length') {
      v = v.length
    } else if (typeof Blob !== 'undefined' && v instanceof Blob && (id === 'size' || id === 'type')) {
      v = v[id]
    } else if (typeof File !== 'undefined' && v instanceof File && (id === 'name' || id === 'lastModified')) {
      v = v[id]
    } else {
      if (v === null || typeof v !== 'object') return FAILURE
      if (!Object.prototype.hasOwnProperty.call(v, id)) return FAILURE
      v = v[id]
    }
  }
  return v
}

/** Spec "evaluate a key path on a value": the value, or FAILURE. */
function evaluateKeyPath (value, keyPath) {
  if (Array.isArray(keyPath)) {
    const out = []
    for (const p of keyPath) {
      const v = evaluatePath(value, p)
      if (v === FAILURE) return FAILURE
      out.push(v)
    }
    return out
  }
  return evaluatePath(value, keyPath)
}

/**
 * Spec "extract a key from a value using a key path": the key, FAILURE when
 * the path does not exist, or INVALID when it yields no valid key
 * (`multiEntry`: an array gives its distinct valid elements).
 */
const INVALID = Symbol('invalid')
function extractKey (value, keyPath, multiEntry = false) {
  const r = evaluateKeyPath(value, keyPath)
  if (r === FAILURE) return FAILURE
  if (multiEntry && Array.isArray(r)) {
    const out = []
    const seen = []
    for (let i = 0; i < r.length; i++) {
      if (!Object.prototype.hasOwnProperty.call(r, i)) continue
      const e = r[i]
      if (!isKey(e)) continue
      const k = toKey(e, 'key', true)
      if (!seen.some((s) => compareKeys(s, k) === 0)) {
        seen.push(k)
        out.push(k)
      }
    }
    return out
  }
  if (!isKey(r)) return INVALID
  return toKey(r, 'key', true)
}

/**
 * The keys of one index for a stored value: an array of keys (empty when
 * the value has no entry in the index).
 */
function indexKeysOf (value, keyPath, multiEntry) {
  const k = extractKey(value, keyPath, multiEntry)
  if (k === FAILURE || k === INVALID) return []
  return multiEntry && Array.isArray(k) && !Array.isArray(keyPath) ? k : [k]
}

/**
 * Spec "check that a key could be injected into a value": true when the
 * path up to its last step leads through objects (or missing properties).
 */
function canInjectKey (value, keyPath) {
  const ids = keyPath.split('.')
  ids.pop()
  let v = value
  for (const id of ids) {
    if (v === null || typeof v !== 'object') return false
    if (!Object.prototype.hasOwnProperty.call(v, id)) return true
    v = v[id]
  }
  return v !== null && typeof v === 'object'
}

/** Spec "inject a key into a value using a key path" (after canInjectKey). */
function injectKey (value, key, keyPath) {
  const ids = keyPath.split('.')
  const last = ids.pop()
  let v = value
  for (const id of ids) {
    if (!Object.prototype.hasOwnProperty.call(v, id)) {
      Object.defineProperty(v, id, { value: {}, writable: true, enumerable: true, configurable: true })
    }
    v = v[id]
  }
  Object.defineProperty(v, last, { value: key, writable: true, enumerable: true, configurable: true })
}

// Index names as the native store knows them: there an empty index name
// means "the object store itself", so '' and names starting with U+0000
// get one U+0000 in front (a one-to-one mapping).
function nativeIndexName (name) {
  return name === '' || name.charCodeAt(0) === 0 ? '\u0000' + name : name
}

/** The IndexedDB name of a native index name (inverse of nativeIndexName). */
function indexNameFromNative (name) {
  return name.charCodeAt(0) === 0 ? name.slice(1) : name
}

module.exports = {
  nativeIndexName,
  indexNameFromNative,
  valueToKey, cmp, toKeyPath, extractKey, indexKeysOf, canInjectKey, injectKey, isKey, FAILURE, INVALID
}
