// Long ingest: writes N time-series records through the JS API (far more
// than the memtable and the block cache hold), reporting the write rate over
// time, write and space amplification, compactions and peak RSS. With
// --verify it then reads every record back (a full scan checking each key,
// ts and value, point reads of a sample, the latest record of every series)
// before and after a reopen: the large-data correctness run.
//
//   npm run bench:ingest                                  10,000,000 records
//   npm run test:large                                    5,000,000 records, verified
//   node bench/long-ingest.mjs --records 2000000 --verify --dir /mnt/fast

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Engine } from '../lib/index.mjs'
import { parseArgs, now, secondsSince, formatRate, formatBytes, directorySize, peakRss } from './util.mjs'

const usage = `usage: node bench/long-ingest.mjs [--records N] [--series S] [--batch B] [--in-flight F]
  [--value-bytes V] [--memtable-size BYTES] [--cache-size BYTES] [--sync-mode none|interval|always]
  [--verify] [--dir DIR] [--keep]`
const args = parseArgs(process.argv.slice(2), {
  records: { type: 'number', default: 10_000_000 },
  series: { type: 'number', default: 10_000 },
  batch: { type: 'number', default: 1000 },
  inFlight: { type: 'number', default: 4 },
  valueBytes: { type: 'number', default: 100 },
  memtableSize: { type: 'number', default: 32 * 1024 * 1024 },
  cacheSize: { type: 'number', default: 32 * 1024 * 1024 },
  syncMode: { type: 'string', default: 'interval' },
  verify: { type: 'boolean', default: false },
  dir: { type: 'string', default: tmpdir() },
  keep: { type: 'boolean', default: false }
}, usage)

const T0 = 1_700_000_000_000_000 // µs
const N = args.records
const S = args.series
const key = (series) => `sensor.${String(series).padStart(6, '0')}`
// Record i: series i % S, its floor(i / S)-th point, one second apart.
const tsOf = (i) => T0 + Math.floor(i / S) * 1_000_000
// A value derived from i alone, so any record can be checked: pseudo-random
// bytes (xorshift32 seeded by i), which do not compress, so nothing on disk
// is flattered.
function valueOf (i) {
  const b = Buffer.allocUnsafe(args.valueBytes)
  let x = (i ^ 0x9e3779b9) | 0 || 1
  for (let j = 0; j < b.length; j += 4) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    b[j] = x
    if (j + 1 < b.length) b[j + 1] = x >>> 8
    if (j + 2 < b.length) b[j + 2] = x >>> 16
    if (j + 3 < b.length) b[j + 3] = x >>> 24
  }
  return b
}

const root = mkdtempSync(path.join(args.dir, 'flowdb-ingest-'))
const dbPath = path.join(root, 'db')
const options = {
  path: dbPath,
  syncMode: args.syncMode,
  memtableSize: args.memtableSize,
  blockCacheSize: args.cacheSize
}
const logical = N * (key(0).length + 8 + args.valueBytes)

console.log(`long ingest: ${N.toLocaleString()} records over ${S.toLocaleString()} series, ` +
  `${args.valueBytes}-byte values, batches of ${args.batch}, ${args.inFlight} in flight, syncMode '${args.syncMode}', ` +
  `memtable ${formatBytes(args.memtableSize)}, block cache ${formatBytes(args.cacheSize)}`)
console.log(`logical data: ${formatBytes(logical)} (key + ts + value per record); directory ${dbPath}`)

let engine = await Engine.open(options)
const start = now()
let next = 0
let written = 0
let lastReport = now()
let lastWritten = 0
const report = []
const step = Math.max(args.batch, Math.floor(N / 10))

async function writer () {
  while (next < N) {
    const from = next
    const to = Math.min(N, from + args.batch)
    next = to
    const records = new Array(to - from)
    for (let i = from; i < to; i++) records[i - from] = { key: key(i % S), ts: tsOf(i), value: valueOf(i) }
    await engine.writeBatch(records)
    written += to - from
    if (written - lastWritten >= step || written === N) {
      const t = now()
      const st = engine.stats()
      const rate = (written - lastWritten) / secondsSince(lastReport)
      report.push({ written, rate })
      console.log(`  ${written.toLocaleString().padStart(12)} records  ${formatRate(rate).padStart(8)}/s  ` +
        `sstables ${String(st.sstables).padStart(3)}  compactions ${String(st.compactions).padStart(3)}  ` +
        `stall ${(st.stallMicros / 1e6).toFixed(1)} s  rss ${formatBytes(process.memoryUsage().rss)}`)
      lastWritten = written
      lastReport = t
    }
  }
}
await Promise.all(Array.from({ length: args.inFlight }, writer))
const ingestSeconds = secondsSince(start)
await engine.flush()
const st = engine.stats()
const disk = directorySize(dbPath).apparent
console.log(`ingest: ${formatRate(N / ingestSeconds)} records/s overall (${ingestSeconds.toFixed(1)} s); ` +
  `slowest tenth ${formatRate(Math.min(...report.map((r) => r.rate)))}/s`)
console.log(`write amplification ${st.writeAmplification.toFixed(2)} (SSTable bytes written per byte accepted; the WAL adds 1), ` +
  `${st.compactions} compactions, ${formatBytes(st.compactionBytesWritten)} rewritten, stalls ${st.stalls} (${(st.stallMicros / 1e6).toFixed(1)} s)`)
console.log(`space: ${formatBytes(disk)} on disk for ${formatBytes(logical)} logical = ${(disk / logical).toFixed(2)}×; ` +
  `${st.sstables} SSTables, largest ${formatBytes(st.largestSstableBytes)}`)
console.log(`latency µs: write p50 ${st.writeLatency.p50.toFixed(0)} p99 ${st.writeLatency.p99.toFixed(0)}; ` +
  `flush p50 ${(st.flushLatency.p50 / 1000).toFixed(0)} ms; compaction max ${(st.compactionLatency.max / 1e6).toFixed(1)} s`)

let failures = 0
async function verify (label) {
  const t = now()
  // Full scan: every record, in order, with its value.
  let count = 0
  let expectSeries = 0
  let expectPoint = 0
  const points = Math.ceil(N / S)
  for await (const r of engine.scan({ valueEncoding: 'buffer' })) {
    const i = expectPoint * S + expectSeries
    if (r.key !== key(expectSeries) || r.ts !== tsOf(i) || !r.value.equals(valueOf(i))) {
      if (failures++ < 5) console.log(`  MISMATCH at record ${count}: got ${r.key}@${r.ts}, want ${key(expectSeries)}@${tsOf(i)}`)
    }
    count++
    // Next expected record: the next point of this series, or the next series.
    expectPoint++
    if (expectPoint >= points || expectPoint * S + expectSeries >= N) {
      expectPoint = 0
      expectSeries++
    }
  }
  if (count !== N) {
    failures++
    console.log(`  COUNT MISMATCH: scanned ${count}, wrote ${N}`)
  }
  const scanSeconds = secondsSince(t)
  // Point reads of a sample, and the latest point of every series.
  const t2 = now()
  const sample = Math.min(N, 100_000)
  for (let k = 0; k < sample; k++) {
    const i = Math.floor((k * 2654435761) % N)
    const v = await engine.get(key(i % S), tsOf(i))
    if (v === undefined || !v.equals(valueOf(i))) failures++
  }
  for (let s = 0; s < Math.min(S, N); s++) {
    const last = Math.floor((N - 1 - s) / S) * S + s
    const r = await engine.getLatest(key(s))
    if (r === undefined || r.ts !== tsOf(last) || !r.value.equals(valueOf(last))) failures++
  }
  console.log(`verify (${label}): scanned ${count.toLocaleString()} records in ${scanSeconds.toFixed(1)} s ` +
    `(${formatRate(count / scanSeconds)}/s), ${sample.toLocaleString()} gets + ${Math.min(S, N).toLocaleString()} getLatest in ` +
    `${secondsSince(t2).toFixed(1)} s, ${failures} failures`)
}

if (args.verify) {
  await verify('after ingest')
  await engine.close()
  engine = await Engine.open(options)
  await verify('after reopen')
}
await engine.close()
console.log(`peak RSS ${formatBytes(peakRss())} (memtables ≤ ${formatBytes(args.memtableSize * 3)}, block cache ${formatBytes(args.cacheSize)})`)
if (!args.keep) rmSync(root, { recursive: true, force: true })
if (failures > 0) {
  console.log(`FAILED: ${failures} records did not read back as written`)
  process.exit(1)
}
