#!/usr/bin/env node
// FlowDB on real data: US domestic flights of 2001 as time series.
//
// Data: flights-3m.parquet from the vega-datasets package — 3 million flights
// with departure time, delay (minutes), distance (miles), origin and
// destination airports. Each flight becomes one record:
//
//   key   = the route, "ORIGIN-DEST" (e.g. "SFO-LAX")
//   ts    = departure time in µs since the Unix epoch. The source gives local
//           wall-clock times without a time zone, to the minute; they are read
//           as if they were UTC. Flights of one route departing in the same
//           minute get ts = minute + 0 µs, + 1 µs, + 2 µs … so that every
//           (key, ts) is unique.
//   value = { delay, distance } as JSON (valueEncoding: 'json')
//
// Then it asks questions through the FlowDB API, times them, and checks every
// answer against a plain-JS computation over the same arrays; it prints
// "verified" or exits with status 1.
//
//   npm run example [-- --limit 500000] [--path DIR] [--sync-mode always|interval|none]
//
// The load uses the engine's default durability, syncMode 'always': each
// batch is fsync'ed in the WAL before its Promise resolves (concurrent
// batches share an fsync). It ends with flush(), so the timing includes
// writing the SSTables. Without --path the database lives in a temporary
// directory removed at the end.

import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parquetMetadata, parquetRead } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { Engine, versions } from '../lib/index.mjs'

const { values: args } = parseArgs({
  options: {
    limit: { type: 'string' },
    path: { type: 'string' },
    'sync-mode': { type: 'string', default: 'always' }
  }
})

// The package exports only its JS entry (build/index.js); the data files sit beside it.
const DATA = fileURLToPath(new URL('../data/flights-3m.parquet', import.meta.resolve('vega-datasets')))
const BATCH_SIZE = 1000
const BATCHES_IN_FLIGHT = 4
const US_PER_MINUTE = 60_000_000

let failures = 0
function check (what, ok) {
  if (!ok) {
    failures++
    console.log(`  MISMATCH: ${what}`)
  }
}

function rate (count, ms) {
  return `${Math.round(count / (ms / 1000)).toLocaleString('en-US')}/s`
}

function utc (us) {
  return new Date(Math.floor(us / 1000)).toISOString().slice(0, 16).replace('T', ' ')
}

// --- load the parquet file into columns --------------------------------------

async function loadFlights (limit) {
  const file = readFileSync(DATA)
  const buffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength)
  const rows = Math.min(Number(parquetMetadata(buffer).num_rows), limit)
  const minute = new Float64Array(rows) // departure, ms since the epoch
  const delay = new Int32Array(rows)
  const distance = new Int32Array(rows)
  const origin = new Array(rows)
  const destination = new Array(rows)
  await parquetRead({
    file: buffer,
    compressors,
    rowEnd: rows,
    onChunk ({ columnName, columnData, rowStart }) {
      for (let j = 0; j < columnData.length; j++) {
        const v = columnData[j]
        const i = rowStart + j
        if (columnName === 'date') minute[i] = v === null ? NaN : v.getTime()
        else if (columnName === 'delay') delay[i] = v === null ? NaN : Number(v)
        else if (columnName === 'distance') distance[i] = v === null ? NaN : Number(v)
        else if (columnName === 'origin') origin[i] = v
        else if (columnName === 'destination') destination[i] = v
      }
    }
  })

  // Routes as small integers; ts made unique per (route, minute). The file
  // is sorted by time, so the flights of one (route, minute) arrive together
  // per route: remembering each route's last minute is enough. (If the order
  // were different, a Map over (route, minute) takes over.)
  const routeIds = new Map()
  const routes = []
  const route = new Uint32Array(rows)
  const ts = new Float64Array(rows)
  let lastMinute = new Float64Array(1024)
  let dupCount = new Uint32Array(1024)
  let seen = null // routeId * 2^25 + minutes since epoch → flights so far
  let skipped = 0
  let previous = -Infinity
  for (let i = 0; i < rows; i++) {
    if (Number.isNaN(minute[i]) || origin[i] == null || destination[i] == null) {
      ts[i] = NaN
      skipped++
      continue
    }
    const name = `${origin[i]}-${destination[i]}`
    let id = routeIds.get(name)
    if (id === undefined) {
      id = routes.length
      routes.push(name)
      routeIds.set(name, id)
      if (id === lastMinute.length) {
        lastMinute = growFloat(lastMinute)
        dupCount = growUint(dupCount)
      }
      lastMinute[id] = NaN
    }
    route[i] = id
    if (seen === null && minute[i] < previous) seen = rebuildSeen(route, minute, i)
    previous = minute[i]
    let dup
    if (seen === null) {
      dup = lastMinute[id] === minute[i] ? dupCount[id] : 0
      lastMinute[id] = minute[i]
      dupCount[id] = dup + 1
    } else {
      const slot = id * 2 ** 25 + minute[i] / 60_000
      dup = seen.get(slot) ?? 0
      seen.set(slot, dup + 1)
    }
    ts[i] = minute[i] * 1000 + dup
  }
  return { rows, route, routes, routeIds, ts, delay, distance, skipped }
}

function growFloat (a) { const b = new Float64Array(a.length * 2); b.set(a); return b }
function growUint (a) { const b = new Uint32Array(a.length * 2); b.set(a); return b }

// The (route, minute) counts of rows [0, end), for unsorted input.
function rebuildSeen (route, minute, end) {
  const seen = new Map()
  for (let i = 0; i < end; i++) {
    if (Number.isNaN(minute[i])) continue
    const slot = route[i] * 2 ** 25 + minute[i] / 60_000
    seen.set(slot, (seen.get(slot) ?? 0) + 1)
  }
  return seen
}

// --- plain-JS answers to check against ---------------------------------------

function delayStats (delays) {
  const sorted = Float64Array.from(delays).sort()
  const n = sorted.length
  const rank = (p) => sorted[Math.max(0, Math.ceil(p * n) - 1)]
  let sum = 0
  for (const d of sorted) sum += d
  return { count: n, mean: n ? sum / n : NaN, p50: rank(0.5), p95: rank(0.95) }
}

function sameStats (a, b) {
  return a.count === b.count && a.p50 === b.p50 && a.p95 === b.p95 &&
    (a.count === 0 || Math.abs(a.mean - b.mean) < 1e-9)
}

function formatStats (s) {
  if (s.count === 0) return 'no flights'
  return `${s.count.toLocaleString('en-US')} flights, mean delay ${s.mean.toFixed(1)} min, p50 ${s.p50} min, p95 ${s.p95} min`
}

// Deterministic pseudo-random numbers (mulberry32).
function rng (seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// --- main --------------------------------------------------------------------

const limit = args.limit === undefined ? Infinity : Number(args.limit)
if (!(limit > 0)) throw new RangeError('--limit must be a positive number')
const dir = args.path ?? mkdtempSync(join(tmpdir(), 'flowdb-flights-'))
const path = args.path ?? join(dir, 'db')

console.log(`FlowDB ${versions.flowdb} (lz4 ${versions.lz4}, format ${versions.format}) — flights example`)
let t0 = performance.now()
const f = await loadFlights(limit)
const n = f.rows - f.skipped
console.log(`loaded ${n.toLocaleString('en-US')} flights on ${f.routes.length.toLocaleString('en-US')} routes from ${DATA.split('/').slice(-2).join('/')} in ${((performance.now() - t0) / 1000).toFixed(1)} s` +
  (f.skipped ? ` (${f.skipped} rows with missing fields skipped)` : ''))

const engine = await Engine.open({ path, valueEncoding: 'json', syncMode: args['sync-mode'] })
try {
  // 1. Ingest: batches of 1000 records, a few batches in flight.
  t0 = performance.now()
  let next = 0
  async function writer () {
    while (next < f.rows) {
      const start = next
      const end = Math.min(f.rows, start + BATCH_SIZE)
      next = end
      const records = []
      for (let i = start; i < end; i++) {
        if (Number.isNaN(f.ts[i])) continue
        records.push({ key: f.routes[f.route[i]], ts: f.ts[i], value: { delay: f.delay[i], distance: f.distance[i] } })
      }
      await engine.writeBatch(records)
    }
  }
  await Promise.all(Array.from({ length: BATCHES_IN_FLIGHT }, writer))
  await engine.flush()
  const ingestMs = performance.now() - t0
  console.log(`\ningest: ${n.toLocaleString('en-US')} records in ${(ingestMs / 1000).toFixed(2)} s = ${rate(n, ingestMs)} ` +
    `(batches of ${BATCH_SIZE}, ${BATCHES_IN_FLIGHT} in flight, syncMode '${args['sync-mode']}', then flush())`)

  // 2. One route's flights in a date window: an exact-key range plus ts bounds.
  const windowRoute = 'SFO-LAX'
  const from = Date.UTC(2001, 2, 1) * 1000 // 2001-03-01 00:00 UTC, in µs
  const to = Date.UTC(2001, 2, 8) * 1000
  t0 = performance.now()
  const inWindow = await engine.scan({ gte: windowRoute, lte: windowRoute, ts: { gte: from, lt: to } }).all()
  const windowMs = performance.now() - t0
  const windowStats = delayStats(inWindow.map((r) => r.value.delay))
  console.log(`\n${windowRoute} departures 2001-03-01 to 2001-03-07: ${formatStats(windowStats)} (${windowMs.toFixed(1)} ms)`)
  for (const r of inWindow.slice(0, 3)) console.log(`  ${utc(r.ts)}  delay ${r.value.delay} min, ${r.value.distance} mi`)
  const routeId = f.routeIds.get(windowRoute)
  const expectWindow = []
  for (let i = 0; i < f.rows; i++) {
    if (f.route[i] === routeId && f.ts[i] >= from && f.ts[i] < to) expectWindow.push(i)
  }
  expectWindow.sort((a, b) => f.ts[a] - f.ts[b])
  check(`${windowRoute} window count`, inWindow.length === expectWindow.length)
  check(`${windowRoute} window contents`, inWindow.every((r, j) => {
    const i = expectWindow[j]
    return r.key === windowRoute && r.ts === f.ts[i] && r.value.delay === f.delay[i] && r.value.distance === f.distance[i]
  }))

  // 3. The latest flight of a few routes (getLatest), and the five latest of
  //    one route (a reverse scan with a limit).
  const latestRoutes = ['SFO-LAX', 'LAX-SFO', 'JFK-LAX', 'ORD-LGA', 'ATL-DFW'].filter((r) => f.routeIds.has(r))
  const lastIndex = new Map()
  for (let i = 0; i < f.rows; i++) {
    if (Number.isNaN(f.ts[i])) continue
    const best = lastIndex.get(f.route[i])
    if (best === undefined || f.ts[i] > f.ts[best]) lastIndex.set(f.route[i], i)
  }
  console.log('\nlatest flight per route (getLatest):')
  t0 = performance.now()
  const latest = await Promise.all(latestRoutes.map((r) => engine.getLatest(r)))
  const latestMs = performance.now() - t0
  for (const [j, r] of latest.entries()) {
    console.log(`  ${latestRoutes[j]}  ${utc(r.ts)}  delay ${r.value.delay} min`)
    const i = lastIndex.get(f.routeIds.get(latestRoutes[j]))
    check(`latest ${latestRoutes[j]}`, r.ts === f.ts[i] && r.value.delay === f.delay[i])
  }
  console.log(`  (${latestRoutes.length} lookups in ${latestMs.toFixed(2)} ms)`)
  const lastFive = await engine.scan({ gte: windowRoute, lte: windowRoute, reverse: true, limit: 5 }).all()
  const expectFive = []
  for (let i = 0; i < f.rows; i++) if (f.route[i] === routeId) expectFive.push(i)
  expectFive.sort((a, b) => f.ts[b] - f.ts[a])
  check('five latest SFO-LAX', lastFive.length === Math.min(5, expectFive.length) &&
    lastFive.every((r, j) => r.ts === f.ts[expectFive[j]]))
  const syncLatest = engine.getLatestSync(windowRoute)
  check('getLatestSync', syncLatest?.ts === lastFive[0]?.ts)

  // 4. Delay statistics over every route out of one airport: a prefix scan.
  const airport = 'SFO'
  t0 = performance.now()
  const delays = []
  const byDestination = new Map()
  for await (const r of engine.scan({ prefix: `${airport}-` })) {
    delays.push(r.value.delay)
    const dest = r.key.slice(airport.length + 1)
    const s = byDestination.get(dest) ?? { count: 0, sum: 0 }
    s.count++
    s.sum += r.value.delay
    byDestination.set(dest, s)
  }
  const prefixMs = performance.now() - t0
  const prefixStats = delayStats(delays)
  console.log(`\nall departures from ${airport} (prefix '${airport}-'): ${formatStats(prefixStats)} — scanned in ${prefixMs.toFixed(0)} ms (${rate(delays.length, prefixMs)})`)
  const worst = [...byDestination].filter(([, s]) => s.count >= 500).sort((a, b) => b[1].sum / b[1].count - a[1].sum / a[1].count).slice(0, 3)
  for (const [dest, s] of worst) console.log(`  most delayed to ${dest}: mean delay ${(s.sum / s.count).toFixed(1)} min over ${s.count.toLocaleString('en-US')} flights`)
  const expectDelays = []
  for (let i = 0; i < f.rows; i++) {
    if (!Number.isNaN(f.ts[i]) && f.routes[f.route[i]].startsWith(`${airport}-`)) expectDelays.push(f.delay[i])
  }
  check(`${airport} delay statistics`, sameStats(prefixStats, delayStats(expectDelays)))

  // 5. Point reads by (route, ts): async get and getSync on a random sample.
  const random = rng(2001)
  const sample = []
  while (sample.length < Math.min(20_000, n)) {
    const i = Math.floor(random() * f.rows)
    if (!Number.isNaN(f.ts[i])) sample.push(i)
  }
  t0 = performance.now()
  const got = new Array(sample.length)
  let cursor = 0
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (cursor < sample.length) {
      const j = cursor++
      got[j] = await engine.get(f.routes[f.route[sample[j]]], f.ts[sample[j]])
    }
  }))
  const getMs = performance.now() - t0
  t0 = performance.now()
  const gotSync = sample.map((i) => engine.getSync(f.routes[f.route[i]], f.ts[i]))
  const getSyncMs = performance.now() - t0
  console.log(`\npoint reads of ${sample.length.toLocaleString('en-US')} random flights by (route, ts): ` +
    `get ${rate(sample.length, getMs)} (16 concurrent), getSync ${rate(sample.length, getSyncMs)}`)
  check('point reads', sample.every((i, j) =>
    got[j]?.delay === f.delay[i] && got[j]?.distance === f.distance[i] &&
    gotSync[j]?.delay === f.delay[i] && gotSync[j]?.distance === f.distance[i]))
  check('a (route, ts) with no flight reads as undefined', await engine.get(windowRoute, -1) === undefined)

  // 6. A full scan: every record, in key then ts order.
  t0 = performance.now()
  let count = 0
  let delaySum = 0
  for await (const r of engine.scan()) {
    count++
    delaySum += r.value.delay
  }
  const fullMs = performance.now() - t0
  let expectSum = 0
  for (let i = 0; i < f.rows; i++) if (!Number.isNaN(f.ts[i])) expectSum += f.delay[i]
  console.log(`\nfull scan: ${count.toLocaleString('en-US')} records in ${(fullMs / 1000).toFixed(2)} s = ${rate(count, fullMs)}`)
  check('full scan count', count === n)
  check('full scan delay sum', delaySum === expectSum)

  const stats = engine.stats()
  console.log(`\nengine: ${stats.sstables} SSTables (${(stats.sstableBytes / 2 ** 20).toFixed(1)} MiB on disk), ` +
    `${stats.flushes} flushes, ${stats.walSyncs} WAL syncs for ${stats.writeGroups} write groups`)
} finally {
  await engine.close()
  if (args.path === undefined) rmSync(dir, { recursive: true, force: true })
}

if (failures > 0) {
  console.log(`\n${failures} answer(s) did not match the plain-JS computation`)
  process.exit(1)
}
console.log('\nverified: every answer matches a plain-JS computation over the same data')
