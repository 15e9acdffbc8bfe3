// Child process of crash.test.js. Opens the database at argv[2] with
// syncMode 'always' and writes batches forever, keeping a few in flight,
// until the parent kills it with SIGKILL.
//
// Batch b holds n records (1–50): key `batch/<b>/<i>`, ts b, value
// `<b>:<i>:<n>` plus random padding. Once `await engine.writeBatch(...)`
// resolves, "ack <b>" is printed; on Linux, writes to a pipe are
// synchronous, so the parent sees every ack printed before the kill.
//
// argv: path, first batch id, seed

import { Engine } from '../../lib/index.mjs'

const [path, firstArg, seedArg] = process.argv.slice(2)
let next = Number(firstArg)
let seed = Number(seedArg) | 0
const IN_FLIGHT = 4

function random () {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

export function batchRecords (id, n, padding) {
  const records = []
  for (let i = 0; i < n; i++) {
    records.push({ key: `batch/${String(id).padStart(8, '0')}/${String(i).padStart(2, '0')}`, ts: id, value: `${id}:${i}:${n}:${'x'.repeat(padding)}` })
  }
  return records
}

// A small memtable makes flushes (SSTable + manifest writes) happen during
// the run, so crashes also land inside them.
const engine = await Engine.open({ path, syncMode: 'always', memtableSize: 256 * 1024 })
process.stdout.write('ready\n')

async function writer () {
  for (;;) {
    const id = next++
    const n = 1 + Math.floor(random() * 50)
    await engine.writeBatch(batchRecords(id, n, Math.floor(random() * 200)))
    process.stdout.write(`ack ${id}\n`)
  }
}

for (let i = 0; i < IN_FLIGHT; i++) {
  writer().catch((err) => {
    process.stderr.write(`writer failed: ${err.stack}\n`)
    process.exit(1)
  })
}
