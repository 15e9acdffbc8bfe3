#!/usr/bin/env node
// IndexedDB benchmark: Dexie and the raw IndexedDB API on each IndexedDB
// implementation a Node program can pick, on the same 10,000 flight
// documents (vega-datasets flights-10k.json, id = row number, indexes on
// origin), one child process per implementation and API.
//
// Implementations (columns):
//   flowdb          FlowDB's IndexedDB, persistent (new IDBFactory({ path }))
//   flowdb-memory   FlowDB's IndexedDB in memory (new IDBFactory())
//   fake-indexeddb  pure JS, in memory: the reference of the ratios
//   indexeddbshim   persistent on SQLite; not a devDependency (its install
//                   needs a native build): `npm run bench:idb:setup` puts it
//                   in bench/peers/
// The FlowDB columns are skipped, with the reason, where lib/indexeddb is
// not built; indexeddbshim is skipped, with the reason, where it is not set up.
//
// Rows, each for Dexie and for the raw API:
//   bulk insert      10,000 documents in one transaction (Dexie bulkAdd; raw: add()s in one transaction), ms
//   get by key       µs per get, 1,000 random keys, one get (one transaction) each
//   index query      ms per query: every flight from the origin with the count closest to 200
//   cursor walk      ms to visit every document with a cursor
//   count            µs per count of one origin through the index
// Every result is checked against plain JS over the documents; a wrong
// answer is shown in the table instead of a time. Each timing is the median
// of --rounds timed passes after one untimed warm-up pass. The ratio in
// parentheses is fake-indexeddb's time over the column's (above 1× means faster).
//
//   node bench/indexeddb.mjs [--impls a,b] [--apis dexie,raw] [--docs 10000] [--rounds 5]

import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs, median, peakRss, formatBytes } from './util.mjs'

const IMPLS = ['flowdb', 'flowdb-memory', 'fake-indexeddb', 'indexeddbshim']
const APIS = ['dexie', 'raw']
const USAGE = `node bench/indexeddb.mjs [--impls ${IMPLS.join(',')}] [--apis dexie,raw] [--docs 10000] [--rounds 5]`
const args = parseArgs(process.argv.slice(2), {
  impls: { type: 'list', default: IMPLS },
  apis: { type: 'list', default: APIS },
  docs: { type: 'number', default: 10000 },
  rounds: { type: 'number', default: 5 },
  run: { type: 'string', default: undefined },
  dir: { type: 'string', default: undefined }
}, USAGE)

const SELF = fileURLToPath(import.meta.url)
const DATA = fileURLToPath(new URL('../data/flights-10k.json', import.meta.resolve('vega-datasets')))
const FLOWDB_ENTRY = fileURLToPath(new URL('../lib/indexeddb/index.cjs', import.meta.url))
const SHIM_ENTRY = fileURLToPath(new URL('./peers/node_modules/indexeddbshim/src/node.js', import.meta.url))
const SQLITE_BINDING = fileURLToPath(new URL('./peers/node_modules/sqlite3/build/Release/node_sqlite3.node', import.meta.url))

function loadDocs (n) {
  const rows = JSON.parse(readFileSync(DATA, 'utf8')).slice(0, n)
  return rows.map((r, i) => ({ id: i, date: r.date, delay: r.delay, distance: r.distance, origin: r.origin, destination: r.destination }))
}

// Why an implementation cannot run here, or undefined when it can.
function unavailable (impl) {
  if (impl.startsWith('flowdb') && !existsSync(FLOWDB_ENTRY)) return 'lib/indexeddb/index.cjs is not in this tree'
  if (impl === 'indexeddbshim') {
    if (!existsSync(SHIM_ENTRY)) return 'not installed: run `npm run bench:idb:setup` (installs it into bench/peers/, outside the project\'s dependencies)'
    if (!existsSync(SQLITE_BINDING)) return 'sqlite3 is not built in bench/peers/: run `npm run bench:idb:setup` again'
  }
  return undefined
}

// --- factories ----------------------------------------------------------------
// Each resolves to { indexedDB, IDBKeyRange } over an empty database directory `dir`.

const factories = {
  async flowdb (dir) {
    const { IDBFactory, IDBKeyRange } = (await import(pathToFileURL(FLOWDB_ENTRY).href)).default
    return { indexedDB: new IDBFactory({ path: dir }), IDBKeyRange }
  },
  async 'flowdb-memory' () {
    const { IDBFactory, IDBKeyRange } = (await import(pathToFileURL(FLOWDB_ENTRY).href)).default
    return { indexedDB: new IDBFactory(), IDBKeyRange }
  },
  async 'fake-indexeddb' () {
    const { IDBFactory, IDBKeyRange } = await import('fake-indexeddb')
    return { indexedDB: new IDBFactory(), IDBKeyRange }
  },
  async indexeddbshim (dir) {
    // The ESM entry: the bundled CommonJS build cannot load sqlite3's addon.
    const { default: setGlobalVars } = await import(pathToFileURL(SHIM_ENTRY).href)
    const scope = {}
    setGlobalVars(scope, { checkOrigin: false, databaseBasePath: dir })
    return { indexedDB: scope.indexedDB, IDBKeyRange: scope.IDBKeyRange }
  }
}

// --- APIs ---------------------------------------------------------------------
// Each: open(env, database name) → { insertAll(docs), get(id), byOrigin(o), walk() → [count, sum of ids], countOrigin(o), close() }

const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error) })

const apis = {
  async dexie ({ indexedDB, IDBKeyRange }, name) {
    const { default: Dexie } = await import('dexie')
    const db = new Dexie(name, { indexedDB, IDBKeyRange })
    db.version(1).stores({ f: 'id, origin' })
    await db.open()
    return {
      insertAll: (docs) => db.f.bulkAdd(docs),
      get: (id) => db.f.get(id),
      byOrigin: (o) => db.f.where('origin').equals(o).toArray(),
      walk: async () => { let n = 0; let sum = 0; await db.f.each((d) => { n++; sum += d.id }); return [n, sum] },
      countOrigin: (o) => db.f.where('origin').equals(o).count(),
      close: async () => db.close()
    }
  },
  async raw ({ indexedDB }, name) {
    const open = indexedDB.open(name, 1)
    open.onupgradeneeded = () => open.result.createObjectStore('f', { keyPath: 'id' }).createIndex('origin', 'origin')
    const db = await req(open)
    const store = (mode) => db.transaction('f', mode).objectStore('f')
    return {
      insertAll: (docs) => new Promise((resolve, reject) => {
        const tx = db.transaction('f', 'readwrite')
        const s = tx.objectStore('f')
        for (const d of docs) s.add(d)
        tx.oncomplete = resolve
        tx.onerror = () => reject(tx.error)
      }),
      get: (id) => req(store('readonly').get(id)),
      byOrigin: (o) => req(store('readonly').index('origin').getAll(o)),
      walk: () => new Promise((resolve, reject) => {
        let n = 0
        let sum = 0
        const r = store('readonly').openCursor()
        r.onsuccess = () => {
          const cursor = r.result
          if (!cursor) return resolve([n, sum])
          n++
          sum += cursor.value.id
          cursor.continue()
        }
        r.onerror = () => reject(r.error)
      }),
      countOrigin: (o) => req(store('readonly').index('origin').count(o)),
      close: async () => db.close()
    }
  }
}

// --- one implementation and API, in this process ---------------------------------

class WrongResult extends Error {}
function check (ok, what) {
  if (!ok) throw new WrongResult(what)
}

// fn(0 … reps-1) once untimed, then `rounds` timed passes: the median
// wall-clock and the median CPU time (user + system, this process) of a
// pass, divided by `per`, in ms.
async function timed (reps, fn, per = 1) {
  for (let i = 0; i < reps; i++) await fn(i)
  const wall = []
  const cpu = []
  for (let r = 0; r < args.rounds; r++) {
    const c0 = process.cpuUsage()
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < reps; i++) await fn(i)
    wall.push(Number(process.hrtime.bigint() - t0) / 1e6 / per)
    const c = process.cpuUsage(c0)
    cpu.push((c.user + c.system) / 1e3 / per)
  }
  return { wall: median(wall), cpu: median(cpu) }
}

// Runs one row; a wrong answer is recorded as { wrong: message } and the other rows go on.
async function row (out, name, fn) {
  try {
    out[name] = await fn()
  } catch (error) {
    if (!(error instanceof WrongResult)) throw error
    out[name] = { wrong: error.message }
  }
}

async function runOne (impl, api, dir, n) {
  const docs = loadDocs(n)
  const counts = new Map()
  for (const d of docs) counts.set(d.origin, (counts.get(d.origin) ?? 0) + 1)
  const origin = [...counts].sort((a, b) => Math.abs(a[1] - 200) - Math.abs(b[1] - 200))[0][0]
  const expected = docs.filter((d) => d.origin === origin).map((d) => d.id)
  const idSum = docs.reduce((s, d) => s + d.id, 0)
  const keys = Array.from({ length: 1000 }, (_, i) => (i * 7919) % n)
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)
  const out = { impl, api, indexQuerySize: expected.length }

  // Bulk insert: a fresh database per round (one untimed warm-up round
  // first), all in one factory: indexeddbshim configures itself once per process.
  mkdirSync(dir, { recursive: true })
  const env = await factories[impl](dir)
  const wall = []
  const cpu = []
  let h
  for (let r = 0; r <= args.rounds; r++) {
    h = await apis[api](env, `bench-${r}`)
    const c0 = process.cpuUsage()
    const t0 = process.hrtime.bigint()
    await h.insertAll(docs)
    const c = process.cpuUsage(c0)
    if (r > 0) {
      wall.push(Number(process.hrtime.bigint() - t0) / 1e6)
      cpu.push((c.user + c.system) / 1e3)
    }
    if (r < args.rounds) await h.close()
  }
  out.insert = { wall: median(wall), cpu: median(cpu) }
  await row(out, 'insertCheck', async () => { const [count] = await h.walk(); check(count === n, `bulk insert stored ${count} of ${n} documents`); return null })
  // The reads run on the last round's database; get and count in µs.
  await row(out, 'get', async () => timed(keys.length, async (i) => check(same(await h.get(keys[i]), docs[keys[i]]), `get(${keys[i]})`), keys.length / 1000))
  await row(out, 'index', async () => timed(10, async () => {
    const found = (await h.byOrigin(origin)).map((d) => d.id)
    check(same(found, expected), `index query found ${found.length} of ${expected.length} documents${found.length === expected.length ? ' (not the same ones)' : ''}`)
  }, 10))
  await row(out, 'walk', async () => timed(1, async () => {
    const [count, sum] = await h.walk()
    check(count === n && sum === idSum, `cursor walk visited ${count} of ${n} documents`)
  }))
  await row(out, 'count', async () => timed(100, async () => {
    const c = await h.countOrigin(origin)
    check(c === expected.length, `count ${c}, expected ${expected.length}`)
  }, 100 / 1000))
  await h.close()
  out.peakRss = peakRss()
  return out
}

// --- the parent: every implementation × API in its own process, then the table ----

if (args.run !== undefined) {
  const [impl, api] = args.run.split(':')
  const result = await runOne(impl, api, args.dir, args.docs)
  console.log('RESULT ' + JSON.stringify(result))
  process.exit(0)
}

for (const name of args.impls) if (!IMPLS.includes(name)) throw new Error(`unknown implementation ${name}\n${USAGE}`)
for (const name of args.apis) if (!APIS.includes(name)) throw new Error(`unknown API ${name}\n${USAGE}`)
const results = {} // `${impl}:${api}` -> result
const skipped = []
const impls = []
for (const impl of args.impls) {
  const why = unavailable(impl)
  if (why) { skipped.push(`${impl}: ${why}`); continue }
  impls.push(impl)
  for (const api of args.apis) {
    const dir = mkdtempSync(join(tmpdir(), `flowdb-idb-bench-${impl}-`))
    const started = Date.now()
    const r = spawnSync(process.execPath, [SELF, '--run', `${impl}:${api}`, '--dir', dir, '--docs', String(args.docs), '--rounds', String(args.rounds)], { encoding: 'utf8', maxBuffer: 64 << 20 })
    rmSync(dir, { recursive: true, force: true })
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '))
    if (line === undefined) {
      console.error(`${impl} with ${api} failed:\n${r.stderr.slice(-3000)}`)
      skipped.push(`${impl} with ${api}: failed (see above)`)
      continue
    }
    results[`${impl}:${api}`] = JSON.parse(line.slice(7))
    console.error(`done: ${impl} with ${api} (${((Date.now() - started) / 1000).toFixed(0)} s)`)
  }
}

const fmt = (x, unit) => x >= 100 ? `${x.toFixed(0)} ${unit}` : x >= 10 ? `${x.toFixed(1)} ${unit}` : `${x.toFixed(2)} ${unit}`
const ROWS = [
  ['insert', (n) => `bulk insert ${n.toLocaleString('en-US')} docs`, 'ms'],
  ['get', () => 'get by key', 'µs'],
  ['index', (n, r) => `index query (${r.indexQuerySize} docs)`, 'ms'],
  ['walk', (n) => `cursor walk (${n.toLocaleString('en-US')} docs)`, 'ms'],
  ['count', () => 'count by index', 'µs']
]
const any = Object.values(results)[0]
console.log(`\n${args.docs.toLocaleString('en-US')} flight documents (vega-datasets flights-10k.json); every answer checked; median of ${args.rounds} runs after a warm-up; (×) = fake-indexeddb's time / this time`)
for (const [clock, heading] of [['wall', 'wall-clock time'], ['cpu', 'CPU time of the process (user + system)']]) {
  if (!any) break
  console.log(`\n${heading}\n`)
  console.log('| | ' + impls.join(' | ') + ' |')
  console.log('|---|' + impls.map(() => '---:|').join(''))
  for (const api of args.apis) {
    for (const [key, label, unit] of ROWS) {
      const cells = impls.map((impl) => {
        const r = results[`${impl}:${api}`]
        if (!r) return '—'
        const wrong = r[key]?.wrong ?? (key === 'insert' ? r.insertCheck?.wrong : undefined)
        if (wrong) return `wrong: ${wrong}`
        const v = r[key][clock]
        const ref = results[`fake-indexeddb:${api}`]?.[key]?.[clock]
        const ratio = typeof ref === 'number' && impl !== 'fake-indexeddb' ? ` (${(ref / v).toFixed(2)}×)` : ''
        return fmt(v, unit) + ratio
      })
      console.log(`| ${api === 'dexie' ? 'Dexie' : 'raw API'}: ${label(args.docs, any)} | ${cells.join(' | ')} |`)
    }
  }
}
if (any) console.log(`\npeak RSS of the raw API run: ${impls.map((impl) => `${impl} ${formatBytes(results[`${impl}:raw`]?.peakRss)}`).join(', ')}`)
if (skipped.length) {
  console.log('\nnot measured:')
  for (const s of skipped) console.log(`  ${s}`)
}
