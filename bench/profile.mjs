// Runs one workload of the comparison in a loop, for profiling. It builds the
// database as compare.mjs does (writes, flush, close, reopen), then repeats
// the chosen workload for --seconds, optionally under `perf record` attached
// to this process for the workload only.
//
//   node --perf-basic-prof --interpreted-frames-native-stack bench/profile.mjs \
//        --engine flowdb --workload getSync --perf /tmp/get.perf.data
//   perf report -i /tmp/get.perf.data --no-children --sort symbol
//
// Workloads: seqWrite, concurrentWrite, getSync, get, getInFlight,
// latestSync, latest, prefixScan, fullScan. Write workloads keep appending
// new points to the series (so the memtable grows and flushes as it would).

import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Dataset, BATCH, T0, TS_STEP } from './dataset.mjs'
import { findEngine, loadDriver } from './drivers/index.mjs'
import { parseArgs, now, secondsSince, inFlight } from './util.mjs'

const USAGE = `Usage: node [--perf-basic-prof] bench/profile.mjs --workload NAME
  [--engine flowdb] [--records 100000] [--seconds 10] [--perf FILE] [--dir DIR]`

const args = parseArgs(process.argv.slice(2), {
  engine: { type: 'string', default: 'flowdb' },
  workload: { type: 'string' },
  records: { type: 'number', default: 100_000 },
  seconds: { type: 'number', default: 10 },
  perf: { type: 'string', default: undefined },
  frequency: { type: 'number', default: 999 },
  dir: { type: 'string', default: os.tmpdir() }
}, USAGE)
if (!args.workload) throw new Error(USAGE)

const engine = findEngine(args.engine)
const driver = await loadDriver(engine)
const data = new Dataset({ records: args.records, series: 1000 })
const dir = mkdtempSync(path.join(args.dir, 'flowdb-profile-'))
const open = () => driver.open(dir, { durability: engine.durability })

let db = await open()
const isWrite = args.workload === 'seqWrite' || args.workload === 'concurrentWrite'
if (!isWrite) {
  for (const batch of data.batches(0, data.total)) await db.writeBatch(batch)
  if (db.flush) await db.flush()
  await db.close()
  db = await open()
}

// Write workloads: batch b holds points b*BATCH … of the series, past the dataset.
let nextPoint = 0
const writeBatchAt = () => {
  const first = nextPoint
  nextPoint += BATCH
  const batch = new Array(BATCH)
  for (let j = 0; j < BATCH; j++) {
    const i = first + j
    batch[j] = { key: data.names[i % data.series], ts: T0 + Math.floor(i / data.series) * TS_STEP, value: data.valueOf(i % data.total) }
  }
  return batch
}

const targets = data.pointTargets(100_000, 7)
const keys = targets.map((i) => data.keyOf(i))
const tss = targets.map((i) => data.tsOf(i))
const series = data.seriesTargets(100_000, 8)
const scans = data.scanTargets(10_000, 200, 9)

// One round of the workload; returns the operations it did.
const rounds = {
  async seqWrite () {
    for (let b = 0; b < 100; b++) await db.writeBatch(writeBatchAt())
    return 100 * BATCH
  },
  async concurrentWrite () {
    await inFlight(100, 8, () => db.writeBatch(writeBatchAt()))
    return 100 * BATCH
  },
  getSync () {
    for (let j = 0; j < keys.length; j++) db.getSync(keys[j], tss[j])
    return keys.length
  },
  async get () {
    for (let j = 0; j < 10_000; j++) await db.get(keys[j], tss[j])
    return 10_000
  },
  async getInFlight () {
    await inFlight(10_000, 64, (j) => db.get(keys[j], tss[j]))
    return 10_000
  },
  latestSync () {
    for (let j = 0; j < series.length; j++) db.latestSync(data.names[series[j]])
    return series.length
  },
  async latest () {
    for (let j = 0; j < 10_000; j++) await db.latest(data.names[series[j]])
    return 10_000
  },
  async prefixScan () {
    for (let j = 0; j < 1000; j++) await db.prefixScan(scans[j].key, scans[j].tsRange)
    return 1000
  },
  async fullScan () {
    await db.fullScan()
    return 1
  }
}
const round = rounds[args.workload]
if (round === undefined) throw new Error(`unknown workload ${args.workload}; known: ${Object.keys(rounds).join(', ')}`)
if (!db[args.workload.replace('InFlight', '')] && !['seqWrite', 'concurrentWrite', 'prefixScan', 'fullScan'].includes(args.workload)) {
  throw new Error(`${engine.name} has no ${args.workload} API`)
}

await round() // warm-up
let perf = null
if (args.perf) {
  perf = spawn('perf', ['record', '-e', 'cpu-clock', '-F', String(args.frequency), ...(process.env.PERF_CALLGRAPH ? ['--call-graph', process.env.PERF_CALLGRAPH] : ['-g']), '-o', args.perf, '-p', String(process.pid)], { stdio: 'inherit' })
  await new Promise((resolve) => setTimeout(resolve, 1000)) // let perf attach
}
const start = now()
let ops = 0
while (secondsSince(start) < args.seconds) ops += await round()
const seconds = secondsSince(start)
if (perf) {
  perf.kill('SIGINT')
  await new Promise((resolve) => perf.on('close', resolve))
}
console.log(`${engine.name} ${args.workload}: ${ops} ops in ${seconds.toFixed(2)} s = ${Math.round(ops / seconds).toLocaleString('en-US')} ops/s`)
await db.close()
rmSync(dir, { recursive: true, force: true })
