// Dexie on flowdb/indexeddb (in memory and persistent) against Dexie on
// fake-indexeddb: bulk insert, get by key, index query, cursor walk and
// count. CPU time per operation (process.cpuUsage), median of 3 runs.
//
//   node bench/indexeddb-dexie.mjs [--records 10000]

import Dexie from 'dexie'
import { createRequire } from 'node:module'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
const flowdb = require('../lib/indexeddb/index.cjs')
const fake = require('fake-indexeddb')

const arg = process.argv.indexOf('--records')
const N = arg > 0 ? Number(process.argv[arg + 1]) : 10000
const GETS = 2000
const QUERIES = 200

function cpu (fn) {
  return async () => {
    const start = process.cpuUsage()
    const t0 = performance.now()
    await fn()
    const used = process.cpuUsage(start)
    return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - t0 }
  }
}

async function run (label, makeFactory, IDBKeyRange) {
  const { factory, cleanup } = makeFactory()
  const db = new Dexie('bench', { indexedDB: factory, IDBKeyRange })
  db.version(1).stores({ items: '++id, group, *tags' })
  await db.open()
  const rows = Array.from({ length: N }, (_, i) => ({ group: i % 50, tags: [`t${i % 7}`, `u${i % 11}`], name: `item ${i}`, n: i }))
  const results = {}
  results.bulkAdd = await cpu(() => db.items.bulkAdd(rows))()
  results.get = await cpu(async () => { for (let i = 0; i < GETS; i++) await db.items.get(1 + ((i * 7919) % N)) })()
  results.indexQuery = await cpu(async () => { for (let i = 0; i < QUERIES; i++) await db.items.where('group').equals(i % 50).toArray() })()
  results.cursorWalk = await cpu(async () => { let n = 0; await db.items.each(() => { n++ }); if (n !== N) throw new Error('walk') })()
  results.count = await cpu(async () => { for (let i = 0; i < QUERIES; i++) await db.items.where('tags').equals('t3').count() })()
  db.close()
  await cleanup()
  return {
    label,
    'bulkAdd µs/row': results.bulkAdd.cpuMs * 1000 / N,
    'get µs': results.get.cpuMs * 1000 / GETS,
    'index query ms': results.indexQuery.cpuMs / QUERIES,
    'cursor walk µs/row': results.cursorWalk.cpuMs * 1000 / N,
    'count ms': results.count.cpuMs / QUERIES
  }
}

const setups = [
  ['fake-indexeddb', () => ({ factory: new fake.IDBFactory(), cleanup: async () => {} }), fake.IDBKeyRange],
  ['flowdb memory', () => {
    const factory = new flowdb.IDBFactory()
    return { factory, cleanup: () => factory.close() }
  }, flowdb.IDBKeyRange],
  ['flowdb persistent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowdb-idb-bench-'))
    const factory = new flowdb.IDBFactory({ path: join(dir, 'db'), syncMode: 'none' })
    return { factory, cleanup: async () => { await factory.close(); rmSync(dir, { recursive: true, force: true }) } }
  }, flowdb.IDBKeyRange]
]

const table = []
for (const [label, make, range] of setups) {
  const runs = []
  for (let i = 0; i < 3; i++) runs.push(await run(label, make, range))
  const med = { label }
  for (const k of Object.keys(runs[0]).filter((k) => k !== 'label')) {
    const v = runs.map((r) => r[k]).sort((a, b) => a - b)[1]
    med[k] = Number(v.toFixed(3))
  }
  table.push(med)
}
console.log(`Dexie workloads, ${N} records, CPU time per operation (median of 3)`)
console.table(table)
