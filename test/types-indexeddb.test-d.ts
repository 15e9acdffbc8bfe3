// Type tests for flowdb/indexeddb (indexeddb.d.ts): the module's exports
// are the DOM IndexedDB types, plus the FlowDB factory options.

import { indexedDB, IDBFactory, IDBKeyRange } from 'flowdb/indexeddb'
import type { FlowDBFactory } from 'flowdb/indexeddb'
import 'flowdb/auto'

type Exact<A, B> = (<G>() => G extends A ? 1 : 2) extends (<G>() => G extends B ? 1 : 2) ? true : false
function expectType<T extends true> (): void {}

async function typed (): Promise<void> {
  const persistent = new IDBFactory({ path: 'data' })
  expectType<Exact<typeof persistent, FlowDBFactory>>()
  const request = indexedDB.open('app', 2)
  expectType<Exact<typeof request, IDBOpenDBRequest>>()
  request.onupgradeneeded = (event) => {
    expectType<Exact<typeof event, IDBVersionChangeEvent>>()
    const db: IDBDatabase = request.result
    const store = db.createObjectStore('books', { keyPath: 'id', autoIncrement: true })
    store.createIndex('byTag', 'tags', { multiEntry: true })
  }
  request.onsuccess = () => {
    const tx = request.result.transaction('books', 'readwrite', { durability: 'relaxed' })
    const get = tx.objectStore('books').index('byTag').getAll(IDBKeyRange.only('x'), 5)
    expectType<Exact<typeof get, IDBRequest<any[]>>>()
  }
  const order: number = persistent.cmp(1, 'a')
  const list = await persistent.databases()
  expectType<Exact<typeof list, IDBDatabaseInfo[]>>()
  await persistent.close()
  // @ts-expect-error the path must be a string
  void new IDBFactory({ path: 5 })
  // The globals flowdb/auto installs are the DOM ones.
  expectType<Exact<typeof globalThis.indexedDB, IDBFactory>>()
  void order
}
void typed
