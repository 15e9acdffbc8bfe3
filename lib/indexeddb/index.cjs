'use strict'

// flowdb/indexeddb: the W3C IndexedDB API over FlowDB's document store.
// Exports the interface objects under their global names and `indexedDB`,
// an in-memory IDBFactory; `new IDBFactory({ path })` persists.

const { IDBFactory } = require('./factory.cjs')
const { IDBDatabase } = require('./database.cjs')
const { IDBTransaction } = require('./transaction.cjs')
const { IDBObjectStore } = require('./object-store.cjs')
const { IDBIndex } = require('./idb-index.cjs')
const { IDBCursor, IDBCursorWithValue } = require('./cursor.cjs')
const { IDBKeyRange } = require('./key-range.cjs')
const { IDBRequest, IDBOpenDBRequest } = require('./request.cjs')
const { IDBVersionChangeEvent } = require('./events.cjs')
const { DOMStringList } = require('./string-list.cjs')
const { IDBRecord } = require('./record.cjs')

/** The default factory: in memory, opened on first use. */
const indexedDB = new IDBFactory()

module.exports = {
  indexedDB,
  IDBCursor,
  IDBCursorWithValue,
  IDBDatabase,
  IDBFactory,
  IDBIndex,
  IDBKeyRange,
  IDBObjectStore,
  IDBOpenDBRequest,
  IDBRequest,
  IDBTransaction,
  IDBVersionChangeEvent,
  IDBRecord,
  DOMStringList
}
