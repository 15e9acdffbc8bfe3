'use strict'

// IDBRecord (IndexedDB 3.0 draft, getAllRecords): one record's key,
// primary key and value.

const kConstruct = Symbol('flowdb.idb.record')

/** IDBRecord: what getAllRecords() returns per record. */
class IDBRecord {
  #key
  #primaryKey
  #value
  constructor (token, key, primaryKey, value) {
    if (token !== kConstruct) throw new TypeError('Illegal constructor')
    this.#key = key
    this.#primaryKey = primaryKey
    this.#value = value
  }

  /** The record's key (the index key for index records). */
  get key () { return this.#key }
  /** The record's primary key. */
  get primaryKey () { return this.#primaryKey }
  /** The record's value. */
  get value () { return this.#value }
  get [Symbol.toStringTag] () { return 'IDBRecord' }
}

/** A new IDBRecord. */
function newRecord (key, primaryKey, value) {
  return new IDBRecord(kConstruct, key, primaryKey, value)
}

module.exports = { IDBRecord, newRecord }
