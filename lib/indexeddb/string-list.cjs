'use strict'

// DOMStringList (HTML spec) as IndexedDB returns it for objectStoreNames and
// indexNames: a sorted, read-only list of names, indexable like an array.

const kConstruct = Symbol('flowdb.idb.stringList')

/** A snapshot list of names in sort order (code unit order). */
class DOMStringList {
  #names
  constructor (token, names) {
    if (token !== kConstruct) throw new TypeError('Illegal constructor')
    this.#names = names
    for (let i = 0; i < names.length; i++) {
      Object.defineProperty(this, i, { value: names[i], enumerable: true })
    }
  }

  /** The number of names. */
  get length () { return this.#names.length }
  /** The name at `index`, or null. */
  item (index) { return this.#names[index >>> 0] ?? null }
  /** Whether `name` is in the list. */
  contains (name) { return this.#names.includes(String(name)) }
  [Symbol.iterator] () { return this.#names[Symbol.iterator]() }
  get [Symbol.toStringTag] () { return 'DOMStringList' }
}

/** A DOMStringList of `names`, sorted by UTF-16 code units. */
function stringList (names) {
  return new DOMStringList(kConstruct, Array.from(names).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
}

module.exports = { DOMStringList, stringList }
