// Types of flowdb/indexeddb as an ES module (lib/indexeddb/index.mjs): the
// declarations of indexeddb.d.ts re-exported; the default export is the
// CommonJS module object, as lib/indexeddb/index.mjs exports it.

/// <reference lib="dom" />

export * from './indexeddb.js'
import idb from './indexeddb.js'
export default idb
