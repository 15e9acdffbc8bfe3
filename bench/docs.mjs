#!/usr/bin/env node
// Document-store benchmark: JsonDB beside the stores a Node user would pick
// instead, on the same 10,000 flight documents (vega-datasets
// flights-10k.json: date, delay, distance, origin, destination; id = row
// number), in one run. Each store runs in a child process of its own, so
// that peak RSS is its own.
//
// Rows (every read checks its result against plain JS over the documents):
//   insert 10K in one transaction        documents/s
//   insert, 1 per transaction, sync       documents/s (each durable before the next)
//   insert, 1 per transaction, no sync    documents/s
//   get by key (Promise / sync)           µs per get, 2,000 random keys
//   index equality (~200 docs)            µs per query: flights from one origin
//   range + orderBy + limit 10            µs per query: delay ≥ 60, by delay
//   count by index                        µs per count of one origin
//   compound index (origin, destination)  µs per query of the busiest route
//   full scan                             ms to read every document
//   peak RSS, bytes on disk
// Read rows: a warm-up pass, then the median of 5 timed passes.
//
// Durability is matched: persistent stores fsync at commit in the 'sync'
// rows and in the bulk insert (FlowDB syncMode 'always'; SQLite WAL with
// synchronous=FULL; lmdb's durable commit), and do not in the 'no sync' row
// (syncMode 'none'; synchronous=OFF; lmdb noSync). In-memory stores (JsonDB inMemory, fake-indexeddb,
// Dexie on it, lokijs) skip the sync rows.
//
//   node bench/docs.mjs [--drivers a,b] [--docs 10000]

import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, directorySize, peakRss, formatBytes } from './util.mjs'

const USAGE = 'node bench/docs.mjs [--drivers flowdb,flowdb-memory,better-sqlite3,lmdb,nedb,fake-indexeddb,dexie,lokijs] [--docs 10000]'
const DRIVERS = ['flowdb', 'flowdb-memory', 'better-sqlite3', 'lmdb', 'nedb', 'fake-indexeddb', 'dexie', 'lokijs']
const args = parseArgs(process.argv.slice(2), {
  drivers: { type: 'list', default: DRIVERS },
  docs: { type: 'number', default: 10000 },
  run: { type: 'string', default: undefined },
  dir: { type: 'string', default: undefined }
}, USAGE)

const SELF = fileURLToPath(import.meta.url)
const DATA = fileURLToPath(new URL('../data/flights-10k.json', import.meta.resolve('vega-datasets')))

function loadDocs (n) {
  const rows = JSON.parse(readFileSync(DATA, 'utf8')).slice(0, n)
  return rows.map((r, i) => ({ id: i, date: r.date, delay: r.delay, distance: r.distance, origin: r.origin, destination: r.destination }))
}

// --- drivers ----------------------------------------------------------------
// Each: open(dir, sync) → handle with insertAll(docs), insertOne(doc),
// get(id), getSync?(id), byOrigin(o), delayAtLeast(d, limit), countOrigin(o),
// byRoute(o, d), scanCount(), close(). `persistent` drivers also run the
// one-per-transaction rows.

const drivers = {
  async flowdb (memory) {
    const { JsonDB, KeyRange } = await import('../lib/index.mjs')
    return {
      persistent: !memory,
      async open (dir, sync) {
        const db = await JsonDB.open(memory ? { inMemory: true } : { path: dir, syncMode: sync ? 'always' : 'none' })
        await db.applySchema([{
          name: 'f',
          keyPath: 'id',
          indexes: [
            { name: 'origin', keyPath: 'origin' },
            { name: 'route', keyPath: ['origin', 'destination'] },
            { name: 'delay', keyPath: 'delay' }
          ]
        }])
        const f = db.store('f')
        return {
          insertAll: (docs) => db.transaction('f', 'readwrite', (tx) => tx.store('f').putMany(docs)),
          insertOne: (doc) => f.put(doc),
          get: (id) => f.get(id),
          getSync: (id) => f.getSync(id),
          byOrigin: (o) => f.index('origin').getAll(o),
          delayAtLeast: (d, limit) => f.index('delay').getAll(KeyRange.lowerBound(d), { limit }),
          countOrigin: (o) => f.index('origin').count(o),
          byRoute: (o, d) => f.index('route').getAll([o, d]),
          scanCount: async () => { let n = 0; for await (const r of f.iterate()) if (r.value) n++; return n },
          close: () => db.close()
        }
      }
    }
  },

  async 'better-sqlite3' () {
    const { default: Database } = await import('better-sqlite3')
    return {
      persistent: true,
      async open (dir, sync) {
        mkdirSync(dir, { recursive: true })
        const db = new Database(join(dir, 'docs.sqlite'))
        db.pragma('journal_mode = WAL')
        db.pragma(`synchronous = ${sync ? 'FULL' : 'OFF'}`)
        db.exec(`CREATE TABLE IF NOT EXISTS f (id INTEGER PRIMARY KEY, doc TEXT NOT NULL);
          CREATE INDEX IF NOT EXISTS f_origin ON f (json_extract(doc, '$.origin'));
          CREATE INDEX IF NOT EXISTS f_route ON f (json_extract(doc, '$.origin'), json_extract(doc, '$.destination'));
          CREATE INDEX IF NOT EXISTS f_delay ON f (json_extract(doc, '$.delay'));`)
        const put = db.prepare('INSERT OR REPLACE INTO f (id, doc) VALUES (?, ?)')
        const get = db.prepare('SELECT doc FROM f WHERE id = ?').pluck()
        const byOrigin = db.prepare("SELECT doc FROM f WHERE json_extract(doc, '$.origin') = ? ORDER BY json_extract(doc, '$.origin'), id").pluck()
        const delay = db.prepare("SELECT doc FROM f WHERE json_extract(doc, '$.delay') >= ? ORDER BY json_extract(doc, '$.delay'), id LIMIT ?").pluck()
        const count = db.prepare("SELECT count(*) FROM f WHERE json_extract(doc, '$.origin') = ?").pluck()
        const route = db.prepare("SELECT doc FROM f WHERE json_extract(doc, '$.origin') = ? AND json_extract(doc, '$.destination') = ? ORDER BY id").pluck()
        const all = db.prepare('SELECT doc FROM f').pluck()
        const insertAll = db.transaction((docs) => { for (const d of docs) put.run(d.id, JSON.stringify(d)) })
        return {
          insertAll: async (docs) => insertAll(docs),
          insertOne: async (doc) => { put.run(doc.id, JSON.stringify(doc)) },
          get: async (id) => { const t = get.get(id); return t === undefined ? undefined : JSON.parse(t) },
          getSync: (id) => { const t = get.get(id); return t === undefined ? undefined : JSON.parse(t) },
          byOrigin: async (o) => byOrigin.all(o).map((t) => JSON.parse(t)),
          delayAtLeast: async (d, limit) => delay.all(d, limit).map((t) => JSON.parse(t)),
          countOrigin: async (o) => count.get(o),
          byRoute: async (o, d) => route.all(o, d).map((t) => JSON.parse(t)),
          scanCount: async () => { let n = 0; for (const t of all.iterate()) if (JSON.parse(t)) n++; return n },
          close: async () => db.close()
        }
      }
    }
  },

  // lmdb with a hand-kept index, as a Node user would build one: the
  // documents in one database keyed by id, and each index a database of
  // [index key..., id] → id, written in the same write transaction as the
  // document (a put first removes the entries of the document it replaces).
  // Durable rows: lmdb's default commit, awaited until flushed; no sync:
  // noSync. Reads are synchronous in lmdb; the Promise row wraps them, as
  // for better-sqlite3.
  async lmdb () {
    const { open } = await import('lmdb')
    const INDEXES = {
      origin: (d) => [d.origin],
      route: (d) => [d.origin, d.destination],
      delay: (d) => [d.delay]
    }
    const END = Number.MAX_SAFE_INTEGER // above every id: ends a prefix range
    return {
      persistent: true,
      async open (dir, sync) {
        mkdirSync(dir, { recursive: true })
        const env = open({ path: join(dir, 'docs.mdb'), noSync: !sync })
        const f = env.openDB({ name: 'f' })
        const index = Object.fromEntries(Object.keys(INDEXES).map((name) => [name, env.openDB({ name: `f.${name}` })]))
        // Inside a write transaction.
        const put = (doc) => {
          const old = f.get(doc.id)
          for (const [name, keyOf] of Object.entries(INDEXES)) {
            if (old !== undefined) index[name].remove([...keyOf(old), old.id])
            index[name].put([...keyOf(doc), doc.id], doc.id)
          }
          f.put(doc.id, doc)
        }
        const commit = async (fn) => {
          await env.transaction(fn)
          if (sync) await env.flushed
        }
        const equal = (name, prefix) => {
          const out = []
          for (const { value } of index[name].getRange({ start: prefix, end: [...prefix, END] })) out.push(f.get(value))
          return out
        }
        return {
          insertAll: (docs) => commit(() => { for (const d of docs) put(d) }),
          insertOne: (doc) => commit(() => put(doc)),
          get: async (id) => f.get(id),
          getSync: (id) => f.get(id),
          byOrigin: async (o) => equal('origin', [o]),
          delayAtLeast: async (d, limit) => {
            const out = []
            for (const { value } of index.delay.getRange({ start: [d], limit })) out.push(f.get(value))
            return out
          },
          countOrigin: async (o) => index.origin.getCount({ start: [o], end: [o, END] }),
          byRoute: async (o, d) => equal('route', [o, d]),
          scanCount: async () => { let n = 0; for (const { value } of f.getRange()) if (value) n++; return n },
          close: () => env.close()
        }
      }
    }
  },

  async nedb () {
    const { default: Datastore } = await import('@seald-io/nedb')
    return {
      persistent: true,
      async open (dir, sync, row) {
        // nedb appends to its file on every write and never fsyncs: it has
        // no durable row (its bulk insert is measured without a sync).
        if (row === 'insertOneSync') return null
        mkdirSync(dir, { recursive: true })
        const ds = new Datastore({ filename: join(dir, 'docs.db'), autoload: false })
        await ds.loadDatabaseAsync()
        await ds.ensureIndexAsync({ fieldName: 'origin' })
        await ds.ensureIndexAsync({ fieldName: 'delay' })
        const strip = ({ _id, ...d }) => d
        return {
          insertAll: (docs) => ds.insertAsync(docs.map((d) => ({ _id: String(d.id), ...d }))),
          insertOne: (doc) => ds.insertAsync({ _id: String(doc.id), ...doc }),
          get: async (id) => { const d = await ds.findOneAsync({ _id: String(id) }); return d === null ? undefined : strip(d) },
          byOrigin: async (o) => (await ds.findAsync({ origin: o }).sort({ id: 1 })).map(strip),
          delayAtLeast: async (d, limit) => (await ds.findAsync({ delay: { $gte: d } }).sort({ delay: 1, id: 1 }).limit(limit)).map(strip),
          countOrigin: (o) => ds.countAsync({ origin: o }),
          byRoute: async (o, d) => (await ds.findAsync({ origin: o, destination: d }).sort({ id: 1 })).map(strip),
          scanCount: async () => (await ds.findAsync({})).length,
          close: async () => { await ds.compactDatafileAsync() }
        }
      }
    }
  },

  async 'fake-indexeddb' () {
    const { IDBFactory, IDBKeyRange } = await import('fake-indexeddb')
    const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error) })
    return {
      persistent: false,
      async open () {
        const factory = new IDBFactory()
        const open = factory.open('bench', 1)
        open.onupgradeneeded = () => {
          const s = open.result.createObjectStore('f', { keyPath: 'id' })
          s.createIndex('origin', 'origin')
          s.createIndex('route', ['origin', 'destination'])
          s.createIndex('delay', 'delay')
        }
        const db = await req(open)
        const store = (mode) => db.transaction('f', mode).objectStore('f')
        return {
          insertAll: (docs) => new Promise((resolve, reject) => {
            const tx = db.transaction('f', 'readwrite')
            for (const d of docs) tx.objectStore('f').put(d)
            tx.oncomplete = resolve
            tx.onerror = () => reject(tx.error)
          }),
          insertOne: (doc) => req(store('readwrite').put(doc)),
          get: (id) => req(store('readonly').get(id)),
          byOrigin: (o) => req(store('readonly').index('origin').getAll(o)),
          delayAtLeast: (d, limit) => req(store('readonly').index('delay').getAll(IDBKeyRange.lowerBound(d), limit)),
          countOrigin: (o) => req(store('readonly').index('origin').count(o)),
          byRoute: (o, d) => req(store('readonly').index('route').getAll([o, d])),
          scanCount: async () => (await req(store('readonly').getAll())).length,
          close: async () => db.close()
        }
      }
    }
  },

  async dexie () {
    const { default: Dexie } = await import('dexie')
    const { IDBFactory, IDBKeyRange } = await import('fake-indexeddb')
    return {
      persistent: false,
      async open () {
        const db = new Dexie('bench', { indexedDB: new IDBFactory(), IDBKeyRange })
        db.version(1).stores({ f: 'id, origin, [origin+destination], delay' })
        await db.open()
        return {
          insertAll: (docs) => db.transaction('rw', db.f, () => db.f.bulkPut(docs)),
          insertOne: (doc) => db.f.put(doc),
          get: (id) => db.f.get(id),
          byOrigin: (o) => db.f.where('origin').equals(o).toArray(),
          delayAtLeast: (d, limit) => db.f.where('delay').aboveOrEqual(d).limit(limit).toArray(),
          countOrigin: (o) => db.f.where('origin').equals(o).count(),
          byRoute: (o, d) => db.f.where('[origin+destination]').equals([o, d]).toArray(),
          scanCount: async () => (await db.f.toArray()).length,
          close: async () => db.close()
        }
      }
    }
  },

  async lokijs () {
    const { default: Loki } = await import('lokijs')
    return {
      persistent: false,
      async open () {
        const db = new Loki('bench.db')
        const f = db.addCollection('f', { unique: ['id'], indices: ['origin', 'delay'], clone: true })
        const strip = ({ $loki, meta, ...d }) => d
        return {
          insertAll: async (docs) => { f.insert(docs.map((d) => ({ ...d }))) },
          insertOne: async (doc) => { f.insert({ ...doc }) },
          get: async (id) => { const d = f.by('id', id); return d === undefined ? undefined : strip(d) },
          getSync: (id) => { const d = f.by('id', id); return d === undefined ? undefined : strip(d) },
          byOrigin: async (o) => f.chain().find({ origin: o }).simplesort('id').data().map(strip),
          delayAtLeast: async (d, limit) => f.chain().find({ delay: { $gte: d } }).compoundsort(['delay', 'id']).limit(limit).data().map(strip),
          countOrigin: async (o) => f.count({ origin: o }),
          byRoute: async (o, d) => f.chain().find({ origin: o, destination: d }).simplesort('id').data().map(strip),
          scanCount: async () => f.find().length,
          close: async () => {}
        }
      }
    }
  }
}
const openFlowDB = drivers.flowdb
drivers.flowdb = () => openFlowDB(false)
drivers['flowdb-memory'] = () => openFlowDB(true)

// --- one driver, in this process ---------------------------------------------

function assert (ok, what) {
  if (!ok) throw new Error(`wrong result: ${what}`)
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)

// µs per call of fn(0 … reps-1): one untimed warm-up pass (JIT, caches),
// then ROUNDS timed passes; the median pass counts. The same for every store.
const ROUNDS = 5
async function timeEach (reps, fn) {
  for (let i = 0; i < reps; i++) await fn(i)
  const passes = []
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < reps; i++) await fn(i)
    passes.push(Number(process.hrtime.bigint() - t0) / 1e3 / reps)
  }
  return passes.sort((a, b) => a - b)[ROUNDS >> 1]
}

async function runDriver (name, dir, n) {
  const docs = loadDocs(n)
  const driver = await drivers[name]()
  const out = { name }

  // Questions and their plain-JS answers.
  const counts = new Map()
  for (const d of docs) counts.set(d.origin, (counts.get(d.origin) ?? 0) + 1)
  const origin = [...counts].sort((a, b) => Math.abs(a[1] - 200) - Math.abs(b[1] - 200))[0][0]
  const byOrigin = docs.filter((d) => d.origin === origin)
  const routes = new Map()
  for (const d of docs) routes.set(`${d.origin}-${d.destination}`, (routes.get(`${d.origin}-${d.destination}`) ?? 0) + 1)
  const [route] = [...routes].sort((a, b) => b[1] - a[1])[0]
  const [ro, rd] = route.split('-')
  const byRoute = docs.filter((d) => d.origin === ro && d.destination === rd)
  const delayed = docs.filter((d) => d.delay >= 60).sort((a, b) => a.delay - b.delay || a.id - b.id).slice(0, 10)
  out.sizes = { indexQuery: byOrigin.length, compound: byRoute.length }

  const h = await driver.open(join(dir, 'main'), true, 'main')
  let t0 = process.hrtime.bigint()
  await h.insertAll(docs)
  out.insertAll = n / (Number(process.hrtime.bigint() - t0) / 1e9)

  const keys = Array.from({ length: 2000 }, (_, i) => (i * 7919) % n)
  out.get = await timeEach(keys.length, async (i) => assert(same(await h.get(keys[i]), docs[keys[i]]), 'get'))
  if (h.getSync) out.getSync = await timeEach(keys.length, (i) => assert(same(h.getSync(keys[i]), docs[keys[i]]), 'getSync'))
  out.indexEq = await timeEach(50, async () => {
    const r = await h.byOrigin(origin)
    assert(r.length === byOrigin.length && same(r.map((d) => d.id).sort((a, b) => a - b), byOrigin.map((d) => d.id)), 'index equality')
  })
  out.range = await timeEach(200, async () => assert(same((await h.delayAtLeast(60, 10)).map((d) => d.delay), delayed.map((d) => d.delay)), 'range'))
  out.count = await timeEach(500, async () => assert(await h.countOrigin(origin) === byOrigin.length, 'count'))
  out.compound = await timeEach(200, async () => assert((await h.byRoute(ro, rd)).length === byRoute.length, 'compound'))
  t0 = process.hrtime.bigint()
  assert(await h.scanCount() === n, 'scan')
  out.scan = Number(process.hrtime.bigint() - t0) / 1e6
  await h.close()

  if (driver.persistent) {
    out.disk = directorySize(join(dir, 'main')).allocated
    for (const [row, sync, count] of [['insertOneSync', true, 300], ['insertOne', false, 2000]]) {
      const one = await driver.open(join(dir, row), sync, row)
      if (one === null) continue
      t0 = process.hrtime.bigint()
      for (let i = 0; i < count; i++) await one.insertOne(docs[i])
      out[row] = count / (Number(process.hrtime.bigint() - t0) / 1e9)
      await one.close()
    }
  }
  out.peakRss = peakRss()
  return out
}

// --- the parent: every driver in its own process, then the table -------------

if (args.run !== undefined) {
  const result = await runDriver(args.run, args.dir, args.docs)
  console.log('RESULT ' + JSON.stringify(result))
} else {
  const results = []
  for (const name of args.drivers) {
    if (!(name in drivers)) throw new Error(`unknown driver ${name}\n${USAGE}`)
    const dir = mkdtempSync(join(tmpdir(), `flowdb-docs-${name}-`))
    const r = spawnSync(process.execPath, [SELF, '--run', name, '--dir', dir, '--docs', String(args.docs)], { encoding: 'utf8', maxBuffer: 64 << 20 })
    rmSync(dir, { recursive: true, force: true })
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '))
    if (line === undefined) {
      console.error(`${name} failed:\n${r.stderr}`)
      continue
    }
    results.push(JSON.parse(line.slice(7)))
    console.error(`done: ${name}`)
  }
  const rate = (x) => x === undefined ? '—' : Math.round(x).toLocaleString('en-US') + '/s'
  const us = (x) => x === undefined ? '—' : (x >= 100 ? x.toFixed(0) : x.toFixed(1)) + ' µs'
  const rows = [
    ['insert 10K docs, one transaction', (r) => rate(r.insertAll)],
    ['insert, 1 doc per transaction, sync', (r) => rate(r.insertOneSync)],
    ['insert, 1 doc per transaction, no sync', (r) => rate(r.insertOne)],
    ['get by key (Promise)', (r) => us(r.get)],
    ['get by key (sync)', (r) => us(r.getSync)],
    [`index equality (${results[0]?.sizes.indexQuery} docs)`, (r) => us(r.indexEq)],
    ['range + order + limit 10', (r) => us(r.range)],
    ['count by index', (r) => us(r.count)],
    [`compound index (${results[0]?.sizes.compound} docs)`, (r) => us(r.compound)],
    ['full scan', (r) => r.scan === undefined ? '—' : r.scan.toFixed(1) + ' ms'],
    ['peak RSS', (r) => formatBytes(r.peakRss)],
    ['bytes on disk', (r) => r.disk === undefined ? '—' : formatBytes(r.disk)]
  ]
  console.log(`\n${args.docs.toLocaleString('en-US')} flight documents (vega-datasets flights-10k.json); every read checked\n`)
  console.log('| | ' + results.map((r) => r.name).join(' | ') + ' |')
  console.log('|---|' + results.map(() => '---:|').join(''))
  for (const [label, f] of rows) console.log(`| ${label} | ` + results.map(f).join(' | ') + ' |')
}
