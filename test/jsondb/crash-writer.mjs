// Child process of crash.test.js. Opens the JsonDB at argv[2] (syncMode
// 'always', a small memtable so that flushes happen during the run) and
// runs the transactions of crash-workload.mjs forever, a few at a time,
// until the parent kills it with SIGKILL.
//
// Output, one line each (writes to a pipe are synchronous on Linux, so the
// parent sees every line printed before the kill):
//   ready                       the database is open
//   ack <ledger entry JSON>     the transaction committed (its commit resolved)
//   conflict <txid>             it failed with FLOWDB_CONFLICT after its retries
//                               (so it must be absent)
// Any other failure ends the child with exit code 1 and the error on stderr.
//
// argv: path, first txid, seed

import { JsonDB, errorCodes } from '../../lib/index.mjs'
import { STORES, IN_FLIGHT, plan, apply } from './crash-workload.mjs'

const [path, firstArg, seedArg] = process.argv.slice(2)
let nextTxid = Number(firstArg)
let seed = Number(seedArg) | 0

// mulberry32, as test/helpers/random.js (a CommonJS-or-ESM guess there
// costs a reparse warning in a plain node process).
function random () {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const db = await JsonDB.open({ path, syncMode: 'always', memtableSize: 128 * 1024 })
process.stdout.write('ready\n')

async function worker () {
  for (;;) {
    const p = plan(random, nextTxid++)
    // Every transaction writes the ledger's key generator, so the writers
    // conflict often; some get no retry, and their conflicts are reported.
    const retries = random() < 0.25 ? 0 : 100
    try {
      const entry = await db.transaction(STORES, 'readwrite', (tx) => apply(tx, p), { retries })
      process.stdout.write(`ack ${JSON.stringify(entry)}\n`)
    } catch (err) {
      if (err.code !== errorCodes.CONFLICT) throw err
      process.stdout.write(`conflict ${p.txid}\n`)
    }
  }
}

for (let i = 0; i < IN_FLIGHT; i++) {
  worker().catch((err) => {
    process.stderr.write(`transaction failed: ${err.stack}\n`)
    process.exit(1)
  })
}
