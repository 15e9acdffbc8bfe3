'use strict'

// Checks of schema arguments: object store and index names, key paths
// (IndexedDB "valid key path"), store and index options, applySchema
// declarations. Every check throws a TypeError (wrong type or shape) or a
// RangeError naming the field, before any native call.

const validate = require('../validate.cjs')

// An identifier as ECMAScript's IdentifierName.
const IDENTIFIER = /^[$_\p{ID_Start}][$\u200c\u200d\p{ID_Continue}]*$/u

/** Whether `path` is a valid single key path: '' or dotted identifiers. */
function isKeyPathString (path) {
  if (typeof path !== 'string') return false
  if (path === '') return true
  return path.split('.').every((part) => IDENTIFIER.test(part))
}

/**
 * A key path: a string ('' = the value itself, or 'a.b.c') or a non-empty
 * array of such strings (a compound key; '' may be one of them, as
 * IndexedDB allows). Returns it (arrays copied).
 */
function keyPath (value, name) {
  if (typeof value === 'string') {
    if (!isKeyPathString(value)) {
      throw new TypeError(`${name} must be '' or identifiers joined by '.', got '${value}'`)
    }
    return value
  }
  if (Array.isArray(value)) {
    if (value.length === 0) throw new TypeError(`${name} must not be an empty array`)
    return value.map((p, i) => {
      if (!isKeyPathString(p)) {
        throw new TypeError(`${name}[${i}] must be '' or identifiers joined by '.', got ` +
          (typeof p === 'string' ? `'${p}'` : validate.describe(p)))
      }
      return p
    })
  }
  throw new TypeError(`${name} must be a string or an array of strings, got ${validate.describe(value)}`)
}

/** A dotted path into a document, as a query names a field ('' = the document). */
function fieldPath (value, name) {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${validate.describe(value)}`)
  if (!isKeyPathString(value)) throw new TypeError(`${name} must be '' or identifiers joined by '.', got '${value}'`)
  return value
}

/** An object store or index name: a non-empty string. */
function name (value, what) {
  validate.string(value, what)
  if (value === '') throw new TypeError(`${what} must not be empty`)
  return value
}

const STORE_OPTIONS = new Set(['keyPath', 'autoIncrement'])
const INDEX_OPTIONS = new Set(['unique', 'multiEntry'])

/**
 * createObjectStore options → { keyPath: string | string[] | null,
 * autoIncrement }. IndexedDB's rules: autoIncrement cannot go with an empty
 * or compound key path.
 */
function storeOptions (options, where) {
  const o = validate.optionsObject(options, `${where} options`)
  validate.checkKnownKeys(o, STORE_OPTIONS, `${where} options`)
  const kp = o.keyPath === undefined || o.keyPath === null ? null : keyPath(o.keyPath, `${where} options.keyPath`)
  const autoIncrement = o.autoIncrement === undefined ? false : validate.boolean(o.autoIncrement, `${where} options.autoIncrement`)
  if (autoIncrement && (kp === '' || Array.isArray(kp))) {
    throw new TypeError(`${where}: autoIncrement needs no key path or a non-empty single key path`)
  }
  return { keyPath: kp, autoIncrement }
}

/** createIndex options → { unique, multiEntry }; multiEntry cannot go with a compound key path. */
function indexOptions (options, kp, where) {
  const o = validate.optionsObject(options, `${where} options`)
  validate.checkKnownKeys(o, INDEX_OPTIONS, `${where} options`)
  const unique = o.unique === undefined ? false : validate.boolean(o.unique, `${where} options.unique`)
  const multiEntry = o.multiEntry === undefined ? false : validate.boolean(o.multiEntry, `${where} options.multiEntry`)
  if (multiEntry && Array.isArray(kp)) {
    throw new TypeError(`${where}: multiEntry cannot be used with a compound (array) key path`)
  }
  return { unique, multiEntry }
}

const STORE_DECLARATION = new Set(['name', 'keyPath', 'autoIncrement', 'indexes'])
const INDEX_DECLARATION = new Set(['name', 'keyPath', 'unique', 'multiEntry'])

/**
 * applySchema() declarations → a normalized array of
 * { name, keyPath, autoIncrement, indexes: [{ name, keyPath, unique, multiEntry }] }.
 */
function schemaDeclaration (stores) {
  if (!Array.isArray(stores)) throw new TypeError(`applySchema() expects an array of store declarations, got ${validate.describe(stores)}`)
  const seen = new Set()
  return stores.map((s, i) => {
    const where = `stores[${i}]`
    if (!validate.isPlainObject(s)) throw new TypeError(`${where} must be an object, got ${validate.describe(s)}`)
    validate.checkKnownKeys(s, STORE_DECLARATION, where)
    const storeName = name(s.name, `${where}.name`)
    if (seen.has(storeName)) throw new TypeError(`${where}.name: object store '${storeName}' is declared twice`)
    seen.add(storeName)
    const { keyPath: kp, autoIncrement } = storeOptions({ keyPath: s.keyPath, autoIncrement: s.autoIncrement }, where)
    const indexes = s.indexes === undefined ? [] : s.indexes
    if (!Array.isArray(indexes)) throw new TypeError(`${where}.indexes must be an array, got ${validate.describe(indexes)}`)
    const indexNames = new Set()
    return {
      name: storeName,
      keyPath: kp,
      autoIncrement,
      indexes: indexes.map((x, j) => {
        const iw = `${where}.indexes[${j}]`
        if (!validate.isPlainObject(x)) throw new TypeError(`${iw} must be an object, got ${validate.describe(x)}`)
        validate.checkKnownKeys(x, INDEX_DECLARATION, iw)
        const indexName = name(x.name, `${iw}.name`)
        if (indexNames.has(indexName)) throw new TypeError(`${iw}.name: index '${indexName}' is declared twice`)
        indexNames.add(indexName)
        const ikp = keyPath(x.keyPath, `${iw}.keyPath`)
        return { name: indexName, keyPath: ikp, ...indexOptions({ unique: x.unique, multiEntry: x.multiEntry }, ikp, iw) }
      })
    }
  })
}

module.exports = { isKeyPathString, keyPath, fieldPath, name, storeOptions, indexOptions, schemaDeclaration }
