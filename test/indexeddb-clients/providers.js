// The IndexedDB factories the client workloads run on, and the data set
// they share.
//
// A provider is { name, available, reason, make }, where make() resolves to
// { indexedDB, IDBKeyRange, interfaces, persistent, reopen, cleanup }:
//   interfaces: the implementation's IDB* classes by name (idb checks
//             instanceof against the global ones).
//   reopen()  closes nothing itself (the caller closes its connections
//             first) and resolves to { indexedDB, IDBKeyRange, interfaces } over the same
//             data: a new factory on the same directory for a persistent
//             provider, the same factory for an in-memory one.
//   cleanup() releases the factory and removes its directory.
//
// fake-indexeddb is the reference: the workloads must pass on it, which shows
// the expected results are right.

import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { rng } from '../helpers/random.js'

const require = createRequire(import.meta.url)
const FLOWDB_ENTRY = fileURLToPath(new URL('../../lib/indexeddb/index.cjs', import.meta.url))

const INTERFACES = [
  'IDBFactory', 'IDBKeyRange', 'IDBCursor', 'IDBCursorWithValue', 'IDBDatabase', 'IDBIndex',
  'IDBObjectStore', 'IDBOpenDBRequest', 'IDBRequest', 'IDBTransaction', 'IDBVersionChangeEvent'
]

function interfacesOf (mod) {
  return Object.fromEntries(INTERFACES.map((name) => [name, mod[name]]))
}

async function closeFactory (factory) {
  if (typeof factory.close === 'function') await factory.close()
}

export const providers = [
  {
    name: 'fake-indexeddb',
    available: true,
    reason: '',
    async make () {
      const mod = require('fake-indexeddb')
      const { IDBFactory, IDBKeyRange } = mod
      const interfaces = interfacesOf(mod)
      const indexedDB = new IDBFactory()
      return {
        indexedDB,
        IDBKeyRange,
        interfaces,
        persistent: false,
        reopen: async () => ({ indexedDB, IDBKeyRange, interfaces }),
        cleanup: async () => {}
      }
    }
  },
  {
    name: 'flowdb in memory',
    available: true,
    reason: '',
    async make () {
      const mod = require(FLOWDB_ENTRY)
      const { IDBFactory, IDBKeyRange } = mod
      const interfaces = interfacesOf(mod)
      const indexedDB = new IDBFactory()
      return {
        indexedDB,
        IDBKeyRange,
        interfaces,
        persistent: false,
        reopen: async () => ({ indexedDB, IDBKeyRange, interfaces }),
        cleanup: () => closeFactory(indexedDB)
      }
    }
  },
  {
    name: 'flowdb persistent',
    available: true,
    reason: '',
    async make () {
      const mod = require(FLOWDB_ENTRY)
      const { IDBFactory, IDBKeyRange } = mod
      const interfaces = interfacesOf(mod)
      const root = mkdtempSync(join(tmpdir(), 'flowdb-idb-client-'))
      const path = join(root, 'idb')
      let indexedDB = new IDBFactory({ path })
      return {
        indexedDB,
        IDBKeyRange,
        interfaces,
        persistent: true,
        reopen: async () => {
          await closeFactory(indexedDB)
          indexedDB = new IDBFactory({ path })
          return { indexedDB, IDBKeyRange, interfaces }
        },
        cleanup: async () => {
          await closeFactory(indexedDB)
          rmSync(root, { recursive: true, force: true })
        }
      }
    }
  }
]

/** The describe() title of a provider, with the reason when it is skipped. */
export function title (provider) {
  return provider.available ? provider.name : `${provider.name} (skipped: ${provider.reason})`
}

/**
 * Installs `indexedDB` and the IDB* interfaces as globals (for the libraries
 * that use the globals: idb, idb-keyval) and returns a function restoring
 * the previous ones.
 */
export function installGlobals ({ indexedDB, interfaces }) {
  const values = { indexedDB, ...interfaces }
  const saved = Object.keys(values).map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)])
  for (const [name, value] of Object.entries(values)) {
    Object.defineProperty(globalThis, name, { value, configurable: true, writable: true })
  }
  return () => {
    for (const [name, descriptor] of saved) {
      if (descriptor) Object.defineProperty(globalThis, name, descriptor)
      else delete globalThis[name]
    }
  }
}

const CITIES = ['Oslo', 'Lima', 'Pune', 'Kyiv', 'Nice', 'Bern', 'Cork']
const FIRST = ['Ada', 'Alan', 'Anna', 'Bo', 'Carl', 'Cleo', 'Dora', 'Eli', 'Emma', 'Finn', 'Grace', 'Hugo', 'Ida', 'Ivan', 'Jon', 'Kai', 'Lea', 'Liv', 'Max', 'Mia']
const TAGS = ['red', 'green', 'blue', 'admin', 'guest', 'vip']

/**
 * `n` deterministic people: { id (1..n), name, age (18..77), city, tags
 * (0..3 distinct), score (float) }. Names repeat, so name indexes have
 * several records per key.
 */
export function people (n, seed = 7) {
  const random = rng(seed)
  const pick = (list) => list[Math.floor(random() * list.length)]
  const out = []
  for (let id = 1; id <= n; id++) {
    const tags = [...new Set(Array.from({ length: Math.floor(random() * 4) }, () => pick(TAGS)))]
    out.push({ id, name: `${pick(FIRST)} ${String.fromCharCode(65 + Math.floor(random() * 26))}.`, age: 18 + Math.floor(random() * 60), city: pick(CITIES), tags, score: Math.round(random() * 10000) / 100 })
  }
  return out
}

export { CITIES, TAGS }

/** IndexedDB key order for the keys used here (numbers, strings, arrays of them). */
export function cmpKey (a, b) {
  const rank = (k) => Array.isArray(k) ? 3 : typeof k === 'string' ? 2 : 1
  if (rank(a) !== rank(b)) return rank(a) - rank(b)
  if (Array.isArray(a)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = cmpKey(a[i], b[i])
      if (c !== 0) return c
    }
    return a.length - b.length
  }
  return a < b ? -1 : a > b ? 1 : 0
}

/** Sorts records as an index on `keyOf` returns them: by index key, then primary key. */
export function byIndex (records, keyOf, primary = (r) => r.id) {
  return [...records].sort((a, b) => cmpKey(keyOf(a), keyOf(b)) || cmpKey(primary(a), primary(b)))
}
