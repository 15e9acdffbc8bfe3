// One engine, one run, in a process of its own (started by compare.mjs):
// open → sequential write → concurrent write → flush + close → size on disk →
// reopen → reads → close → peak RSS. Prints one line
//   BENCH_RESULT {json}
// on stdout. With --fresh-only the process does one thing instead: the
// concurrent writers into a fresh, empty store, first thing in a fresh
// process (no memtable, WAL, file or JIT state left by earlier writes), with
// the records of the sequential phase; its result is
// workloads.concurrentWriteFresh.
// Every read checks what it got: a missing record, a wrong value,
// ts or count aborts the run with an error (exit status 1).
//
// Usage: node --expose-gc bench/run-engine.mjs --engine NAME --dir DIR [options]
// (`--engine harness` runs no engine: it measures the harness's own RSS.)

import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { Dataset } from './dataset.mjs'
import { findEngine, loadDriver } from './drivers/index.mjs'
import { SAMPLE_EVERY } from './drivers/scan-result.mjs'
import { parseArgs, now, secondsSince, directorySize, peakRss, inFlight, collectGarbage } from './util.mjs'

const USAGE = `Usage: node --expose-gc bench/run-engine.mjs --engine NAME --dir DIR
  [--records N] [--series S] [--concurrency 8] [--in-flight 64] [--scan-size 200]
  [--sync-gets N] [--async-gets N] [--in-flight-gets N] [--latest-sync N]
  [--latest-async N] [--prefix-scans N] [--full-scans N] [--seed N]
  [--options JSON]   (FlowDB engines only: Engine.open options beyond path and syncMode)
  [--fresh-only]     (only the concurrent writers, into a fresh store)`

const args = parseArgs(process.argv.slice(2), {
  engine: { type: 'string' },
  dir: { type: 'string' },
  records: { type: 'number', default: 100_000 },
  series: { type: 'number', default: 1000 },
  concurrency: { type: 'number', default: 8 },
  inFlight: { type: 'number', default: 64 },
  scanSize: { type: 'number', default: 200 },
  syncGets: { type: 'number', default: 100_000 },
  asyncGets: { type: 'number', default: 20_000 },
  inFlightGets: { type: 'number', default: 50_000 },
  latestSync: { type: 'number', default: 50_000 },
  latestAsync: { type: 'number', default: 20_000 },
  prefixScans: { type: 'number', default: 2_000 },
  fullScans: { type: 'number', default: 2 },
  seed: { type: 'number', default: 1 },
  options: { type: 'string', default: undefined },
  freshOnly: { type: 'boolean', default: false }
}, USAGE)
if (!args.engine || !args.dir) throw new Error(USAGE)

class CheckError extends Error {}

function check (ok, what) {
  if (!ok) throw new CheckError(`${args.engine}: ${what}`)
}

// Time `ops` operations run by fn(); a warm-up of `warm` operations (not
// timed, also checked) runs first.
async function timed (ops, warm, fn) {
  if (warm > 0) await fn(warm, true)
  collectGarbage()
  const start = now()
  await fn(ops, false)
  const seconds = secondsSince(start)
  return { ops, seconds, opsPerSec: ops / seconds }
}

const warmOf = (ops) => Math.min(ops, Math.max(100, Math.floor(ops / 10)))

async function main () {
  const data = new Dataset({ records: args.records, series: args.series })
  const result = { engine: args.engine, records: data.total, workloads: {}, notes: [] }
  const w = result.workloads

  if (args.engine === 'harness') {
    // The harness alone: the dataset, the batches and the read targets as a
    // real run builds them, no engine.
    let batches = data.batches(0, data.n)
    collectGarbage()
    batches = data.batches(data.n, data.total)
    const maxGets = Math.max(args.syncGets, args.asyncGets, args.inFlightGets)
    const targets = data.pointTargets(maxGets + warmOf(maxGets), args.seed)
    const keys = targets.map((i) => data.keyOf(i))
    const tss = targets.map((i) => data.tsOf(i))
    result.kept = batches.length + keys.length + tss.length
    result.peakRss = peakRss()
    return result
  }

  const engine = findEngine(args.engine)
  const driver = await loadDriver(engine)
  const dbDir = path.join(args.dir, 'db')
  mkdirSync(dbDir, { recursive: true })
  const options = args.options === undefined ? undefined : JSON.parse(args.options)
  const open = () => driver.open(dbDir, { durability: engine.durability, options })

  if (args.freshOnly) {
    const db = await open()
    const batches = data.batches(0, data.n)
    collectGarbage()
    const start = now()
    let nextBatch = 0
    const writer = async () => {
      while (nextBatch < batches.length) await db.writeBatch(batches[nextBatch++])
    }
    await Promise.all(Array.from({ length: args.concurrency }, writer))
    const seconds = secondsSince(start)
    w.concurrentWriteFresh = { ops: data.n, seconds, opsPerSec: data.n / seconds }
    await db.close()
    result.peakRss = peakRss()
    return result
  }

  // --- writes ---------------------------------------------------------------
  let db = await open()
  let batches = data.batches(0, data.n)
  collectGarbage()
  let start = now()
  for (const batch of batches) await db.writeBatch(batch)
  w.seqWrite = { ops: data.n, seconds: secondsSince(start) }

  batches = data.batches(data.n, data.total)
  collectGarbage()
  start = now()
  let nextBatch = 0
  const writer = async () => {
    while (nextBatch < batches.length) await db.writeBatch(batches[nextBatch++])
  }
  await Promise.all(Array.from({ length: args.concurrency }, writer))
  w.concurrentWrite = { ops: data.n, seconds: secondsSince(start) }
  batches = null

  start = now()
  if (db.flush) await db.flush()
  if (db.stats) result.statsAfterWrite = db.stats()
  await db.close()
  result.flushCloseSeconds = secondsSince(start)
  const size = directorySize(dbDir)
  result.diskBytes = size.allocated
  result.diskApparentBytes = size.apparent

  // --- reads, on the reopened database ---------------------------------------
  start = now()
  db = await open()
  result.reopenSeconds = secondsSince(start)

  const checkValue = (got, i, what) => {
    check(got !== undefined && got !== null, `${what}: record ${data.keyOf(i)}@${data.tsOf(i)} not found`)
    check(Buffer.compare(got, data.valueOf(i)) === 0, `${what}: wrong value for ${data.keyOf(i)}@${data.tsOf(i)}`)
  }

  if (!engine.writesOnly) {
    // Each read workload times its first `ops` targets after a warm-up over
    // the targets past the largest `ops` (so the warm-up reads other records).
    const maxGets = Math.max(args.syncGets, args.asyncGets, args.inFlightGets)
    const targets = data.pointTargets(maxGets + warmOf(maxGets), args.seed)
    const keys = targets.map((i) => data.keyOf(i))
    const tss = targets.map((i) => data.tsOf(i))
    const warmOffset = maxGets

    // Point reads: every result must be found; every 64th value is compared.
    const pointReads = (read) => (n, warm) => {
      let found = 0
      const base = warm ? warmOffset : 0
      for (let j = base; j < base + n; j++) {
        const v = read(keys[j], tss[j])
        if (v !== undefined && v !== null) {
          found++
          if ((j & 63) === 0) checkValue(v, targets[j], 'getSync')
        }
      }
      check(found === n, `getSync found ${found} of ${n} records`)
    }
    const awaitedReads = (n, warm) => (async () => {
      let found = 0
      const base = warm ? warmOffset : 0
      for (let j = base; j < base + n; j++) {
        const v = await db.get(keys[j], tss[j])
        if (v !== undefined && v !== null) {
          found++
          if ((j & 63) === 0) checkValue(v, targets[j], 'get')
        }
      }
      check(found === n, `get found ${found} of ${n} records`)
    })()
    const concurrentReads = (n, warm) => (async () => {
      let found = 0
      const base = warm ? warmOffset : 0
      await inFlight(n, args.inFlight, async (k) => {
        const j = base + k
        const v = await db.get(keys[j], tss[j])
        if (v !== undefined && v !== null) {
          found++
          if ((j & 63) === 0) checkValue(v, targets[j], 'get (in flight)')
        }
      })
      check(found === n, `get (${args.inFlight} in flight) found ${found} of ${n} records`)
    })()

    if (db.getSync) w.getSync = await timed(args.syncGets, warmOf(args.syncGets), pointReads(db.getSync))
    if (db.get) {
      w.get = await timed(args.asyncGets, warmOf(args.asyncGets), awaitedReads)
      w.getInFlight = await timed(args.inFlightGets, warmOf(args.inFlightGets), concurrentReads)
    }

    // Latest record of a series: its last point, checked in full.
    const maxLatest = Math.max(args.latestSync, args.latestAsync)
    const series = data.seriesTargets(maxLatest + warmOf(maxLatest), args.seed + 1)
    const lastIndex = data.names.map((_, s) => data.indexOf(s, data.countOf(s) - 1))
    const latestWarm = maxLatest
    const checkLatest = (r, s, what) => {
      const i = lastIndex[s]
      check(r !== undefined && r !== null, `${what}: no record for ${data.names[s]}`)
      check(r.ts === data.tsOf(i), `${what}: ${data.names[s]} latest ts ${r.ts}, expected ${data.tsOf(i)}`)
      checkValue(r.value, i, what)
    }
    if (db.latestSync) {
      w.latestSync = await timed(args.latestSync, warmOf(args.latestSync), (n, warm) => {
        const base = warm ? latestWarm : 0
        for (let j = base; j < base + n; j++) {
          const s = series[j]
          const r = db.latestSync(data.names[s])
          if ((j & 15) === 0) checkLatest(r, s, 'latestSync')
          else check(r !== undefined, `latestSync: no record for ${data.names[s]}`)
        }
      })
    }
    if (db.latest) {
      w.latest = await timed(args.latestAsync, warmOf(args.latestAsync), async (n, warm) => {
        const base = warm ? latestWarm : 0
        for (let j = base; j < base + n; j++) {
          const s = series[j]
          const r = await db.latest(data.names[s])
          if ((j & 15) === 0) checkLatest(r, s, 'latest')
          else check(r !== undefined, `latest: no record for ${data.names[s]}`)
        }
      })
    }

    // Prefix scans: count, and first/last ts and values, of every scan.
    const scanWarmN = warmOf(Math.min(args.prefixScans, 1000))
    const scans = data.scanTargets(args.prefixScans + scanWarmN, args.scanSize, args.seed + 2)
    const scanWarm = args.prefixScans
    let scannedRecords = 0
    w.prefixScan = await timed(args.prefixScans, scanWarmN, async (n, warm) => {
      const base = warm ? scanWarm : 0
      for (let j = base; j < base + n; j++) {
        const t = scans[j]
        const r = await db.prefixScan(t.key, t.tsRange)
        check(r.count === t.count, `prefixScan ${t.key}: ${r.count} records, expected ${t.count}`)
        check(r.first.ts === data.tsOf(t.first) && r.last.ts === data.tsOf(t.last), `prefixScan ${t.key}: wrong ts range ${r.first.ts}…${r.last.ts}`)
        checkValue(r.first.value, t.first, 'prefixScan')
        checkValue(r.last.value, t.last, 'prefixScan')
        if (!warm) scannedRecords += r.count
      }
    })
    w.prefixScan.records = scannedRecords

    // Full scans: count, XOR of ts, and sampled records.
    let expectedXor = 0
    for (let i = 0; i < data.total; i++) expectedXor ^= data.tsOf(i) % 2 ** 32
    // Record order is (key, ts); the k-th record scanned is point k mod c of series ⌊k/c⌋ when every series has c points.
    const uniform = data.total % data.series === 0
    const perSeries = data.total / data.series
    const checkFull = (r) => {
      check(r.count === data.total, `fullScan: ${r.count} records, expected ${data.total}`)
      check(r.tsXor === expectedXor, 'fullScan: the ts values differ from those written')
      if (!uniform) return
      r.samples.forEach((sample, k) => {
        const pos = k * SAMPLE_EVERY
        const i = data.indexOf(Math.floor(pos / perSeries), pos % perSeries)
        check(sample.key === data.keyOf(i) && sample.ts === data.tsOf(i), `fullScan: record ${pos} is ${sample.key}@${sample.ts}, expected ${data.keyOf(i)}@${data.tsOf(i)}`)
        checkValue(sample.value, i, 'fullScan')
      })
    }
    w.fullScan = await timed(args.fullScans, 1, async (n) => {
      for (let j = 0; j < n; j++) checkFull(await db.fullScan())
    })
    w.fullScan.records = args.fullScans * data.total
  } else {
    // Write-only engines still prove their writes landed.
    const r = await db.fullScan()
    check(r.count === data.total, `fullScan after reopen: ${r.count} records, expected ${data.total}`)
  }

  await db.close()
  for (const v of Object.values(w)) v.opsPerSec = v.ops / v.seconds
  result.peakRss = peakRss()
  return result
}

main().then((result) => {
  process.stdout.write('BENCH_RESULT ' + JSON.stringify(result) + '\n')
}, (err) => {
  console.error(err instanceof CheckError ? `CHECK FAILED: ${err.message}` : err)
  process.exit(1)
})
