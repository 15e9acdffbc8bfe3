// Types of flowdb/indexeddb: the W3C IndexedDB API, typed through the
// standard DOM IndexedDB declarations, plus the FlowDB factory options.

/// <reference lib="dom" />

/** Options of a FlowDB IDBFactory. */
export interface FlowDBFactoryOptions {
  /**
   * A FlowDB directory that keeps every database of the factory (created
   * when missing, opened on first use). Without it the factory is in memory.
   */
  path?: string
  /** Keep the databases in memory (the default when no path is given). */
  inMemory?: boolean
  /** WAL sync mode of a persistent factory, as FlowDB's open options. */
  syncMode?: 'always' | 'interval' | 'none'
}

/** The IDBFactory constructor of flowdb/indexeddb. */
export interface FlowDBFactoryConstructor {
  prototype: FlowDBFactory
  /** An in-memory factory, or one persisting to `options.path`. */
  new (options?: FlowDBFactoryOptions): FlowDBFactory
}

/** A FlowDB IDBFactory: the standard interface plus close(). */
export interface FlowDBFactory extends IDBFactory {
  /** Closes the factory's store (a persistent factory releases its directory). */
  close (): Promise<void>
}

/** The default factory: in memory. */
export declare const indexedDB: FlowDBFactory
export declare const IDBFactory: FlowDBFactoryConstructor
export declare const IDBCursor: typeof globalThis.IDBCursor
export declare const IDBCursorWithValue: typeof globalThis.IDBCursorWithValue
export declare const IDBDatabase: typeof globalThis.IDBDatabase
export declare const IDBIndex: typeof globalThis.IDBIndex
export declare const IDBKeyRange: typeof globalThis.IDBKeyRange
export declare const IDBObjectStore: typeof globalThis.IDBObjectStore
export declare const IDBOpenDBRequest: typeof globalThis.IDBOpenDBRequest
export declare const IDBRequest: typeof globalThis.IDBRequest
export declare const IDBTransaction: typeof globalThis.IDBTransaction
export declare const IDBVersionChangeEvent: typeof globalThis.IDBVersionChangeEvent
export declare const DOMStringList: typeof globalThis.DOMStringList
