// The IndexedDB implementations the WPT runner can measure. Each loader
// resolves to the globals a page would have: `indexedDB` (a fresh, empty
// factory) and the IDB* interfaces.

import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const require = createRequire(import.meta.url)

/** The interfaces installed as globals besides `indexedDB`. */
export const INTERFACES = [
  'IDBFactory', 'IDBKeyRange', 'IDBCursor', 'IDBCursorWithValue', 'IDBDatabase', 'IDBIndex',
  'IDBObjectStore', 'IDBOpenDBRequest', 'IDBRequest', 'IDBTransaction', 'IDBVersionChangeEvent'
]

/** Path of FlowDB's IndexedDB entry point (CommonJS). */
export const FLOWDB_ENTRY = fileURLToPath(new URL('../../lib/indexeddb/index.cjs', import.meta.url))

/** indexeddbshim's Node entry, where `npm run bench:idb:setup` installs it. */
export const SHIM_ENTRY = fileURLToPath(new URL('../../bench/peers/node_modules/indexeddbshim/src/node.js', import.meta.url))

/** Why `impl` cannot run in this tree, or undefined when it can. */
export function unavailable (impl) {
  if (impl.startsWith('flowdb') && !existsSync(FLOWDB_ENTRY)) return `--impl ${impl} needs ${FLOWDB_ENTRY}, which this tree does not have (try --impl fake-indexeddb)`
  if (impl === 'indexeddbshim' && !existsSync(SHIM_ENTRY)) return '--impl indexeddbshim needs `npm run bench:idb:setup` first (it installs indexeddbshim into bench/peers/)'
  return undefined
}

export const IMPLS = {
  /** FlowDB's IndexedDB API, a fresh in-memory factory per test file. */
  async flowdb () {
    if (!existsSync(FLOWDB_ENTRY)) throw new Error(`${FLOWDB_ENTRY} does not exist: FlowDB's IndexedDB API is not built into this tree`)
    const mod = require(FLOWDB_ENTRY)
    return { ...pick(mod), indexedDB: new mod.IDBFactory() }
  },
  /**
   * FlowDB's IndexedDB API, a fresh persistent factory per test file, in a
   * temporary directory removed when the process exits.
   */
  async 'flowdb-persistent' () {
    const mod = require(FLOWDB_ENTRY)
    const dir = mkdtempSync(join(tmpdir(), 'flowdb-wpt-'))
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
    return { ...pick(mod), indexedDB: new mod.IDBFactory({ path: join(dir, 'idb') }) }
  },
  /** fake-indexeddb (in memory), the reference most Node test suites use. */
  async 'fake-indexeddb' () {
    const mod = require('fake-indexeddb')
    return { ...pick(mod), indexedDB: new mod.IDBFactory() }
  },
  /**
   * indexeddbshim (SQLite files) in a temporary directory of this process,
   * removed when it exits.
   */
  async indexeddbshim () {
    const { default: setGlobalVars } = await import(pathToFileURL(SHIM_ENTRY).href)
    const dir = mkdtempSync(join(tmpdir(), 'flowdb-wpt-shim-'))
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
    const scope = {}
    setGlobalVars(scope, { checkOrigin: false, databaseBasePath: dir })
    return { ...pick(scope), indexedDB: scope.indexedDB }
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
