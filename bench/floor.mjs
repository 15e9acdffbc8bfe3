// The floor: what the cheapest possible call into a native addon costs here.
// It times the empty calls of bench/floor/floor.cc — built like flowdb.node —
// so each FlowDB operation can be read as a multiple of the boundary's cost:
//
//   sync call        ns per empty sync N-API call (and one returning a copied 128 B Buffer;
//                    for reference, Buffer.allocUnsafe(128) in JS, which slices a shared pool)
//   async 1 at a time µs per awaited round trip through the libuv pool
//   settled Promise   µs per awaited call that returns an already-resolved
//                     Promise of a 128 B Buffer (a read answered from memory)
//   async 8 / 64 in flight µs per call with 8 or 64 calls outstanding (a throughput)
//
// Usage: node --expose-gc bench/floor.mjs [--quick] [--json]

import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { ensureFloorAddon } from './floor/build.mjs'
import { parseArgs, now, secondsSince, median, inFlight, collectGarbage } from './util.mjs'

const VALUE_BYTES = 128

// Median seconds per call of `reps` timed rounds of `calls` calls each.
async function perCall (reps, calls, round) {
  await round(Math.max(1, calls >> 3)) // warm-up: JIT, thread pool start
  const samples = []
  for (let r = 0; r < reps; r++) {
    collectGarbage()
    const start = now()
    await round(calls)
    samples.push(secondsSince(start) / calls)
  }
  return median(samples)
}

export async function measureFloor ({ quick = false } = {}) {
  const floor = createRequire(import.meta.url)(ensureFloorAddon({ quiet: true }))
  const reps = quick ? 3 : 5
  const syncCalls = quick ? 1_000_000 : 5_000_000
  const asyncCalls = quick ? 20_000 : 100_000

  const syncLoop = (fn) => (n) => {
    let sink = 0
    for (let i = 0; i < n; i++) if (fn(VALUE_BYTES) !== undefined) sink++
    return sink
  }
  const oneAtATime = (fn) => async (n) => {
    for (let i = 0; i < n; i++) await fn(VALUE_BYTES)
  }
  const concurrent = (fn, k) => (n) => inFlight(n, k, () => fn(VALUE_BYTES))

  const syncEmpty = await perCall(reps, syncCalls, syncLoop(floor.syncEmpty))
  const syncBuffer = await perCall(reps, syncCalls >> 2, syncLoop(floor.syncBuffer))
  // Not a native call: the pooled JS allocation a value could be copied into.
  const pooledBuffer = await perCall(reps, syncCalls >> 2, syncLoop((n) => Buffer.allocUnsafe(n)))
  const asyncEmpty = await perCall(reps, asyncCalls, oneAtATime(floor.asyncEmpty))
  const asyncBuffer = await perCall(reps, asyncCalls, oneAtATime(floor.asyncBuffer))
  const settledBuffer = await perCall(reps, asyncCalls * 4, oneAtATime(floor.settledBuffer))
  const async8 = await perCall(reps, asyncCalls * 2, concurrent(floor.asyncEmpty, 8))
  const async64 = await perCall(reps, asyncCalls * 2, concurrent(floor.asyncEmpty, 64))
  const async64Buffer = await perCall(reps, asyncCalls * 2, concurrent(floor.asyncBuffer, 64))
  return {
    syncEmptyNs: syncEmpty * 1e9,
    syncBufferNs: syncBuffer * 1e9,
    pooledBufferNs: pooledBuffer * 1e9,
    asyncEmptyUs: asyncEmpty * 1e6,
    asyncBufferUs: asyncBuffer * 1e6,
    settledBufferUs: settledBuffer * 1e6,
    async8Us: async8 * 1e6,
    async64Us: async64 * 1e6,
    async64BufferUs: async64Buffer * 1e6
  }
}

// The floor as a table; `other` (optional) adds a column measured under
// different Node flags (compare.mjs passes the --single-threaded-gc run).
export function describeFloor (f, other) {
  const rows = [
    ['sync empty call', 'syncEmptyNs', 'ns'],
    ['sync call → 128 B Buffer', 'syncBufferNs', 'ns'],
    ['(JS only) Buffer.allocUnsafe(128), pooled', 'pooledBufferNs', 'ns'],
    ['async, one at a time', 'asyncEmptyUs', 'µs'],
    ['async → 128 B Buffer, one at a time', 'asyncBufferUs', 'µs'],
    ['settled Promise → 128 B Buffer (no pool trip)', 'settledBufferUs', 'µs'],
    ['async, 8 in flight (per call)', 'async8Us', 'µs'],
    ['async, 64 in flight (per call)', 'async64Us', 'µs'],
    ['async → 128 B Buffer, 64 in flight (per call)', 'async64BufferUs', 'µs']
  ]
  const cell = (x, unit) => {
    const perSecond = unit === 'ns' ? 1e9 / x : 1e6 / x
    return `${x.toFixed(unit === 'ns' ? 1 : 2)} ${unit} (${Math.round(perSecond).toLocaleString('en-US')}/s)`
  }
  const header = other ? ['call', 'default flags', '--single-threaded-gc'] : ['call', 'cost']
  const lines = ['| ' + header.join(' | ') + ' |', '| ' + header.map(() => '---').join(' | ') + ' |']
  for (const [label, key, unit] of rows) {
    lines.push(`| ${label} | ${cell(f[key], unit)}${other ? ` | ${cell(other[key], unit)}` : ''} |`)
  }
  return lines.join('\n')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const usage = 'Usage: node --expose-gc bench/floor.mjs [--quick] [--json]'
  const args = parseArgs(process.argv.slice(2), { quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } }, usage)
  const f = await measureFloor(args)
  console.log(args.json ? JSON.stringify(f) : describeFloor(f))
}
