// flowdb/indexeddb as an ES module (the CommonJS implementation re-exported).
import idb from './index.cjs'

export const {
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
} = idb
export default idb
