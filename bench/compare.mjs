// FlowDB beside the embedded stores a Node user would pick instead, in one
// run: rocksdb-native (RocksDB), classic-level (LevelDB), lmdb and
// better-sqlite3, with FlowDB at the peers' durability (syncMode 'none') and
// at syncMode 'always'. See bench/README.md for the workloads and the method.
//
// Each engine runs each repetition in a fresh child process and a fresh
// directory (bench/run-engine.mjs); repetitions are interleaved across
// engines; the table shows the median of the runs, and for each peer the
// ratio to FlowDB (> 1 means FlowDB is ahead). A read that misses or returns
// a wrong value fails the whole benchmark.

import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ENGINES, findEngine } from './drivers/index.mjs'
import { machineInfo, loadAverage } from './machine.mjs'
import { describeFloor } from './floor.mjs'
import { parseArgs, median, spread, formatRate, formatBytes, formatRatio } from './util.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))

const USAGE = `Usage: npm run bench -- [options]   (node bench/compare.mjs [options])
  --records N      records per write phase; the database ends with 2N (default 100000; 20000 with --quick)
  --runs R         repetitions per engine; the table shows medians (default 5; 1 with --quick)
  --only a,b       engines to run (default all): ${ENGINES.map((e) => e.name).join(', ')}
  --json FILE      also write every run, the medians and the machine to FILE
  --quick          small and fast: a smoke test, not a measurement
  --dir DIR        where the temporary databases go (default: the OS temp dir)
  --flowdb-options JSON  Engine.open options for the FlowDB runs, e.g. '{"memtableSize":8388608}'
                   (not path or syncMode; default: none, the engine's defaults)
  --no-floor       skip the floor measurement`

const args = parseArgs(process.argv.slice(2), {
  records: { type: 'number', default: undefined },
  runs: { type: 'number', default: undefined },
  only: { type: 'list', default: undefined },
  json: { type: 'string', default: undefined },
  quick: { type: 'boolean', default: false },
  dir: { type: 'string', default: os.tmpdir() },
  flowdbOptions: { type: 'string', default: undefined },
  floor: { type: 'boolean', default: true },
  noFloor: { type: 'boolean', default: false }
}, USAGE)

const records = args.records ?? (args.quick ? 20_000 : 100_000)
const runs = args.runs ?? (args.quick ? 1 : 5)
const engines = args.only ? [...new Set(args.only.map((n) => findEngine(n)))] : ENGINES
const measureFloorToo = args.floor && !args.noFloor
const flowdbOptions = parseFlowdbOptions(args.flowdbOptions)

// --flowdb-options: a JSON object of Engine.open options. path and syncMode
// belong to the harness (the database directory, the durability compared).
function parseFlowdbOptions (text) {
  if (text === undefined) return undefined
  let options
  try {
    options = JSON.parse(text)
  } catch (err) {
    throw new Error(`--flowdb-options must be JSON (${err.message})\n${USAGE}`)
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new Error(`--flowdb-options must be a JSON object, e.g. '{"memtableSize":8388608}'`)
  }
  for (const name of ['path', 'syncMode']) {
    if (name in options) throw new Error(`--flowdb-options cannot set ${name}: the benchmark sets it`)
  }
  return options
}
const CONCURRENT_WRITERS = 8
const IN_FLIGHT = 64
const SCAN_SIZE = 200

// Operation counts per read workload, scaled with the data size.
const counts = {
  syncGets: records,
  asyncGets: Math.max(1000, records / 5),
  inFlightGets: Math.max(1000, records / 2),
  latestSync: Math.max(1000, records / 2),
  latestAsync: Math.max(1000, records / 5),
  prefixScans: Math.max(100, records / 50),
  fullScans: args.quick ? 1 : 2
}

// Rates (higher is better) in table order.
const WORKLOADS = [
  { id: 'seqWrite', label: 'sequential write (batches of 100)', unit: 'records/s' },
  { id: 'concurrentWrite', label: `${CONCURRENT_WRITERS} concurrent writers (batches of 100)`, unit: 'records/s' },
  { id: 'concurrentWriteFresh', label: `${CONCURRENT_WRITERS} concurrent writers, fresh store (batches of 100)`, unit: 'records/s' },
  { id: 'getSync', label: 'point get, sync API', unit: 'gets/s' },
  { id: 'get', label: 'point get, Promise, 1 at a time', unit: 'gets/s' },
  { id: 'getInFlight', label: `point get, Promise, ${IN_FLIGHT} in flight`, unit: 'gets/s' },
  { id: 'latestSync', label: 'latest of a series, sync API', unit: 'reads/s' },
  { id: 'latest', label: 'latest of a series, Promise', unit: 'reads/s' },
  { id: 'prefixScan', label: `prefix scan (${SCAN_SIZE} records)`, unit: 'scans/s' },
  { id: 'fullScan', label: `full scan (${formatRate(2 * records)} records)`, unit: 'scans/s' }
]
// Sizes (lower is better).
const SIZES = [
  { id: 'diskBytes', label: 'size on disk after close', unit: 'bytes' },
  { id: 'peakRss', label: 'peak RSS of the process', unit: 'bytes' },
  { id: 'engineRss', label: 'peak RSS above the harness alone', unit: 'bytes' }
]

function runChild (script, childArgs, nodeFlags = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', ...nodeFlags, path.join(here, script), ...childArgs], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    const timer = setTimeout(() => child.kill('SIGKILL'), 15 * 60 * 1000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code !== 0) {
        reject(new Error(`${script} ${childArgs.join(' ')} failed (${signal ?? 'exit ' + code}):\n${stderr.trim()}`))
        return
      }
      resolve({ stdout, stderr })
    })
  })
}

async function runEngine (engine, run) {
  const dir = mkdtempSync(path.join(args.dir, `flowdb-bench-${engine.name}-`))
  try {
    const childArgs = [
      '--engine', engine.name, '--dir', dir, '--records', String(records),
      '--concurrency', String(CONCURRENT_WRITERS), '--in-flight', String(IN_FLIGHT), '--scan-size', String(SCAN_SIZE),
      '--sync-gets', String(counts.syncGets), '--async-gets', String(counts.asyncGets),
      '--in-flight-gets', String(counts.inFlightGets), '--latest-sync', String(counts.latestSync),
      '--latest-async', String(counts.latestAsync), '--prefix-scans', String(counts.prefixScans),
      '--full-scans', String(counts.fullScans), '--seed', String(run + 1)
    ]
    if (flowdbOptions !== undefined && engine.driver === 'flowdb') childArgs.push('--options', JSON.stringify(flowdbOptions))
    const parse = ({ stdout, stderr }) => {
      const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '))
      if (line === undefined) throw new Error(`${engine.name}: no result\n${stdout}\n${stderr}`)
      return JSON.parse(line.slice('BENCH_RESULT '.length))
    }
    const result = parse(await runChild('run-engine.mjs', childArgs))
    if (engine.name === 'harness') return result
    // The writers on a fresh store, in a process of its own.
    const freshDir = path.join(dir, 'fresh')
    mkdirSync(freshDir)
    const fresh = parse(await runChild('run-engine.mjs', [...childArgs.map((a) => a === dir ? freshDir : a), '--fresh-only']))
    result.workloads.concurrentWriteFresh = fresh.workloads.concurrentWriteFresh
    return result
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function value (result, id) {
  if (result === undefined) return null
  if (id in result.workloads) return result.workloads[id].opsPerSec
  return result[id] ?? null
}

// The table as Markdown: one row per workload, one column per engine; peer
// cells carry FlowDB's advantage (rate: FlowDB ÷ peer; size: peer ÷ FlowDB).
function renderTable (medians) {
  const names = engines.map((e) => e.name)
  const header = ['workload', 'unit', ...engines.map((e) => e.label)]
  const rows = [header, header.map(() => '---')]
  const base = medians.flowdb
  for (const w of WORKLOADS) {
    const row = [w.label, w.unit]
    for (const name of names) {
      const v = medians[name]?.[w.id] ?? null
      let cell = formatRate(v)
      if (!name.startsWith('flowdb') && v !== null && base?.[w.id]) cell += ` (${formatRatio(base[w.id] / v)})`
      row.push(cell)
    }
    rows.push(row)
  }
  for (const s of SIZES) {
    const row = [s.label, 'bytes']
    for (const name of names) {
      const v = medians[name]?.[s.id] ?? null
      let cell = formatBytes(v)
      if (!name.startsWith('flowdb') && v !== null && base?.[s.id]) cell += ` (${formatRatio(v / base[s.id])})`
      row.push(cell)
    }
    rows.push(row)
  }
  return rows.map((r) => '| ' + r.join(' | ') + ' |').join('\n')
}

// Each FlowDB operation as a multiple of the cheapest call of its kind.
function renderFloor (f, m) {
  if (!f || !m) return ''
  const perOp = (id) => (m[id] ? 1 / m[id] : null)
  const lines = [
    '| FlowDB operation | FlowDB per op | floor per op | FlowDB ÷ floor |',
    '| --- | --- | --- | --- |'
  ]
  const add = (label, id, floorSeconds, floorLabel, scale = 1) => {
    const t = perOp(id)
    if (t === null) return
    const us = (x) => (x < 1e-6 ? `${(x * 1e9).toFixed(0)} ns` : `${(x * 1e6).toFixed(2)} µs`)
    lines.push(`| ${label} | ${us(t * scale)} | ${us(floorSeconds)} (${floorLabel}) | ${formatRatio((t * scale) / floorSeconds)} |`)
  }
  add('getSync', 'getSync', f.syncBufferNs / 1e9, 'sync call → 128 B Buffer')
  add('getSync', 'getSync', f.syncEmptyNs / 1e9, 'empty sync call')
  add('getLatestSync', 'latestSync', f.syncBufferNs / 1e9, 'sync call → 128 B Buffer')
  add('get, 1 at a time', 'get', f.asyncBufferUs / 1e6, 'async → 128 B Buffer')
  add('get, 1 at a time', 'get', f.settledBufferUs / 1e6, 'settled Promise → 128 B Buffer')
  add(`get, ${IN_FLIGHT} in flight`, 'getInFlight', f.async64BufferUs / 1e6, `async → Buffer, ${IN_FLIGHT} in flight`)
  add('getLatest, 1 at a time', 'latest', f.asyncBufferUs / 1e6, 'async → 128 B Buffer')
  add('getLatest, 1 at a time', 'latest', f.settledBufferUs / 1e6, 'settled Promise → 128 B Buffer')
  add('writeBatch (100 records), 1 at a time', 'seqWrite', f.asyncEmptyUs / 1e6, 'empty async call', 100)
  add(`writeBatch (100 records), ${CONCURRENT_WRITERS} writers`, 'concurrentWrite', f.async8Us / 1e6, `empty async, ${CONCURRENT_WRITERS} in flight`, 100)
  add(`prefix scan (${SCAN_SIZE} records)`, 'prefixScan', f.asyncEmptyUs / 1e6, 'empty async call')
  return lines.join('\n')
}

// The goals set for FlowDB, checked against this run's medians.
function renderTargets (m, f) {
  const fl = m.flowdb
  if (!fl) return ''
  const lines = ['| target | measured | status |', '| --- | --- | --- |']
  const rate = (goal, id, peer, peerId = id, factor) => {
    const a = fl[id]
    const b = m[peer]?.[peerId]
    if (!a || !b) return
    const r = a / b
    lines.push(`| ${goal} | ${formatRate(a)} vs ${formatRate(b)}: ${formatRatio(r)} | ${r >= factor ? 'met' : 'MISSED'} |`)
  }
  const size = (goal, id, peer) => {
    const a = fl[id]
    const b = m[peer]?.[id]
    if (!a || !b) return
    lines.push(`| ${goal} | ${formatBytes(a)} vs ${formatBytes(b)} | ${a <= b ? 'met' : 'MISSED'} |`)
  }
  rate('sequential write ≥ 4× rocksdb-native', 'seqWrite', 'rocksdb-native', 'seqWrite', 4)
  rate(`${CONCURRENT_WRITERS} writers ≥ 3× rocksdb-native`, 'concurrentWrite', 'rocksdb-native', 'concurrentWrite', 3)
  for (const peer of Object.keys(m).filter((e) => e !== 'flowdb')) {
    rate(`${CONCURRENT_WRITERS} writers, fresh store, ≥ 2× ${peer}`, 'concurrentWriteFresh', peer, 'concurrentWriteFresh', 2)
  }
  rate('sync get ≥ 3× lmdb sync get', 'getSync', 'lmdb', 'getSync', 3)
  if (f && fl.get) {
    const floorRate = 1e6 / f.asyncBufferUs
    const ratio = fl.get / floorRate
    lines.push(`| Promise get, 1 at a time, within 3× of the async floor | ${formatRate(fl.get)}/s vs floor ${formatRate(floorRate)}/s: ${(ratio * 100).toFixed(0)}% of the floor rate, latency ${formatRatio(1 / ratio)} the floor's | ${ratio >= 1 / 3 ? 'met' : 'MISSED'} |`)
    const settledRate = 1e6 / f.settledBufferUs
    lines.push(`| (same, against a Promise settled on the JS thread) | ${formatRate(fl.get)}/s vs ${formatRate(settledRate)}/s: latency ${formatRatio(settledRate / fl.get)} the floor's | — |`)
  }
  rate(`${IN_FLIGHT} gets in flight ≥ 10× rocksdb-native`, 'getInFlight', 'rocksdb-native', 'getInFlight', 10)
  rate('latest (sync) ≥ 3× lmdb', 'latestSync', 'lmdb', 'latestSync', 3)
  rate('prefix scan ≥ 4× lmdb', 'prefixScan', 'lmdb', 'prefixScan', 4)
  rate('full scan ≥ 4× lmdb', 'fullScan', 'lmdb', 'fullScan', 4)
  size('storage ≤ rocksdb-native', 'diskBytes', 'rocksdb-native')
  size('peak RSS ≤ rocksdb-native', 'peakRss', 'rocksdb-native')
  return lines.length > 2 ? lines.join('\n') : ''
}

async function main () {
  if (!existsSync(args.dir)) mkdirSync(args.dir, { recursive: true })
  if (engines.some((e) => e.driver === 'flowdb')) {
    try {
      await import('../lib/index.mjs')
    } catch (err) {
      throw new Error(`FlowDB cannot be loaded (${err.message}); run \`npm run build\` first`)
    }
  }
  const machine = machineInfo(path.resolve(args.dir))
  const loadBefore = loadAverage()
  const started = Date.now()
  console.log(`FlowDB benchmark: ${2 * records} records (${records} sequential + ${records} from ${CONCURRENT_WRITERS} writers), 128 B values, 1,000 series, ${runs} run(s) per engine`)
  console.log(`${machine.cpu}, ${machine.cores} cores, ${formatBytes(machine.memoryBytes)} RAM, ${machine.os}, Node ${machine.node}`)
  console.log(`data directories on ${machine.fileSystem}`)
  console.log(`packages: ${Object.entries(machine.packages).map(([k, v]) => `${k} ${v}`).join(', ')}`)
  console.log(`engines: ${Object.values(machine.engines).filter(Boolean).join(', ')}`)
  console.log(`load average: ${loadBefore.map((x) => x.toFixed(2)).join(' ')}${loadBefore[0] > 1 ? '  (the machine is busy: expect noise)' : ''}`)
  if (flowdbOptions !== undefined) console.log(`FlowDB options: ${JSON.stringify(flowdbOptions)} (not the defaults)`)

  let floor = null
  let floorMainThreadGc = null
  if (measureFloorToo) {
    process.stdout.write('\nfloor (empty N-API calls)… ')
    const floorArgs = ['--json', ...(args.quick ? ['--quick'] : [])]
    floor = JSON.parse((await runChild('floor.mjs', floorArgs)).stdout.trim().split('\n').pop())
    // Again with V8's GC on the JS thread: the gap is what a Buffer allocated
    // per call pays for freeing its memory on V8's concurrent sweeper thread.
    floorMainThreadGc = JSON.parse((await runChild('floor.mjs', floorArgs, ['--single-threaded-gc'])).stdout.trim().split('\n').pop())
    console.log('done\n' + describeFloor(floor, floorMainThreadGc))
  }

  // The harness's own footprint (dataset, batches, Node): the RSS of a child
  // that builds everything but opens no engine.
  const harness = await runEngine({ name: 'harness' }, 0)
  console.log(`\nharness alone (no engine): peak RSS ${formatBytes(harness.peakRss)}`)

  const results = Object.fromEntries(engines.map((e) => [e.name, []]))
  for (let run = 0; run < runs; run++) {
    // Rotate the order so no engine always runs first or last.
    const order = engines.map((_, i) => engines[(i + run) % engines.length])
    for (const engine of order) {
      process.stdout.write(`\nrun ${run + 1}/${runs} ${engine.name}… `)
      const t = Date.now()
      const r = await runEngine(engine, run)
      r.engineRss = r.peakRss - harness.peakRss
      results[engine.name].push(r)
      process.stdout.write(`${((Date.now() - t) / 1000).toFixed(1)} s`)
    }
  }
  console.log('\n')

  const medians = {}
  const spreads = {}
  for (const e of engines) {
    medians[e.name] = {}
    spreads[e.name] = {}
    for (const id of [...WORKLOADS, ...SIZES].map((w) => w.id)) {
      const values = results[e.name].map((r) => value(r, id)).filter((v) => v !== null)
      if (values.length === 0) continue
      medians[e.name][id] = median(values)
      spreads[e.name][id] = spread(values)
    }
  }

  const loadAfter = loadAverage()
  console.log(`## Results (median of ${runs} run(s); in parentheses FlowDB's advantage: FlowDB ÷ peer for rates, peer ÷ FlowDB for sizes; > 1 = FlowDB ahead)\n`)
  console.log(renderTable(medians))
  console.log('\nDurability: ' + engines.map((e) => `${e.label}: ${describeDurability(e)}`).join('; '))
  const noisy = []
  for (const [name, s] of Object.entries(spreads)) {
    for (const [id, x] of Object.entries(s)) if (x > 0.15) noisy.push(`${name} ${id} ${(x * 100).toFixed(0)}%`)
  }
  if (noisy.length) console.log(`Run-to-run spread above 15% (max−min over median): ${noisy.join(', ')}`)
  if (floor) console.log('\n## FlowDB against the floor\n\n' + renderFloor(floor, medians.flowdb))
  const targets = renderTargets(medians, floor)
  if (targets) console.log('\n## Targets\n\n' + targets)
  const minutes = ((Date.now() - started) / 60000).toFixed(1)
  console.log(`\n${minutes} min; load average before ${loadBefore[0].toFixed(2)}, after ${loadAfter[0].toFixed(2)}`)

  if (args.json) {
    const out = { date: new Date().toISOString(), config: { records, runs, counts, concurrentWriters: CONCURRENT_WRITERS, inFlight: IN_FLIGHT, scanSize: SCAN_SIZE, flowdbOptions: flowdbOptions ?? null }, machine, loadAverage: { before: loadBefore, after: loadAfter }, floor, floorMainThreadGc, harnessRss: harness.peakRss, medians, spreads, runs: results }
    writeFileSync(args.json, JSON.stringify(out, null, 2) + '\n')
    console.log(`wrote ${args.json}`)
  }
}

const durabilityNotes = {}
function describeDurability (engine) {
  return durabilityNotes[engine.name] ?? engine.durability
}

// The drivers describe their own durability settings.
for (const e of engines) {
  const { info } = await import(`./drivers/${e.driver}.mjs`)
  durabilityNotes[e.name] = info.durability[e.durability]
}

main().catch((err) => {
  console.error('\nBENCHMARK FAILED: ' + (err.stack ?? err))
  process.exit(1)
})
