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

const { IDBEventTarget, IDBEvent } = require('./events.cjs')
const { exposeInterface } = require('./webidl.cjs')

for (const C of [IDBRequest, IDBTransaction, IDBDatabase]) exposeInterface(C, { base: EventTarget, shared: IDBEventTarget })
exposeInterface(IDBVersionChangeEvent, { length: 1, base: Event, shared: IDBEvent })
const READS = { get: 1, getKey: 1, getAll: 0, getAllKeys: 0, getAllRecords: 0, count: 0, openCursor: 0, openKeyCursor: 0 }
exposeInterface(IDBObjectStore, { lengths: { ...READS, put: 1, add: 1, delete: 1, clear: 0, index: 1, createIndex: 2, deleteIndex: 1 } })
exposeInterface(IDBIndex, { lengths: READS })
exposeInterface(IDBCursor, { lengths: { advance: 1, continue: 0, continuePrimaryKey: 2, update: 1, delete: 0 } })
exposeInterface(IDBFactory, { lengths: { open: 1, deleteDatabase: 1, databases: 0, cmp: 2 } })
exposeInterface(IDBKeyRange, { lengths: { only: 1, lowerBound: 1, upperBound: 1, bound: 2, includes: 1 } })
exposeInterface(IDBDatabase, { lengths: { createObjectStore: 1, deleteObjectStore: 1, transaction: 1, close: 0 } })
for (const C of [IDBOpenDBRequest, IDBCursorWithValue, IDBRecord, DOMStringList]) exposeInterface(C)

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
