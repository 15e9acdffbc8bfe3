'use strict'

// flowdb/auto: installs indexedDB (an in-memory factory) and the IndexedDB
// interface objects as globals, for code and test suites written against
// the browser API. Assign `globalThis.indexedDB = new IDBFactory()` for a
// clean state.

const idb = require('./index.cjs')

const names = [
  'indexedDB', 'IDBCursor', 'IDBCursorWithValue', 'IDBDatabase', 'IDBFactory', 'IDBIndex', 'IDBKeyRange',
  'IDBObjectStore', 'IDBOpenDBRequest', 'IDBRequest', 'IDBTransaction', 'IDBVersionChangeEvent', 'IDBRecord'
]
for (const name of names) {
  Object.defineProperty(globalThis, name, { value: idb[name], writable: true, configurable: true, enumerable: false })
}
if (globalThis.DOMStringList === undefined) {
  Object.defineProperty(globalThis, 'DOMStringList', { value: idb.DOMStringList, writable: true, configurable: true })
}

module.exports = idb
