// The IndexedDB implementations the WPT runner can measure. Each loader
// returns the globals a page would have: `indexedDB` (a fresh, empty
// factory) and the IDB* interfaces.

import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)

/** The interfaces installed as globals besides `indexedDB`. */
export const INTERFACES = [
  'IDBFactory', 'IDBKeyRange', 'IDBCursor', 'IDBCursorWithValue', 'IDBDatabase', 'IDBIndex',
  'IDBObjectStore', 'IDBOpenDBRequest', 'IDBRequest', 'IDBTransaction', 'IDBVersionChangeEvent'
]

/** Path of FlowDB's IndexedDB entry point (CommonJS). */
export const FLOWDB_ENTRY = fileURLToPath(new URL('../../lib/indexeddb/index.cjs', import.meta.url))

export const IMPLS = {
  /** FlowDB's IndexedDB API, a fresh in-memory factory per test file. */
  flowdb () {
    if (!existsSync(FLOWDB_ENTRY)) throw new Error(`${FLOWDB_ENTRY} does not exist: FlowDB's IndexedDB API is not built into this tree`)
    const mod = require(FLOWDB_ENTRY)
    return { ...pick(mod), indexedDB: new mod.IDBFactory() }
  },
  /** fake-indexeddb (in memory), the reference most Node test suites use. */
  'fake-indexeddb' () {
    const mod = require('fake-indexeddb')
    return { ...pick(mod), indexedDB: new mod.IDBFactory() }
  }
}

/** Interfaces installed when the implementation has them (newer spec additions). */
export const OPTIONAL_INTERFACES = ['IDBRecord']

function pick (mod) {
  const out = {}
  for (const name of INTERFACES) {
    if (typeof mod[name] !== 'function') throw new Error(`the implementation does not export ${name}`)
    out[name] = mod[name]
  }
  for (const name of OPTIONAL_INTERFACES) {
    if (typeof mod[name] === 'function') out[name] = mod[name]
  }
  return out
}
