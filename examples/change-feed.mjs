#!/usr/bin/env node
// Ships a FlowDB database's changes out as NDJSON: engine.changes() tails the
// WAL and every committed batch becomes one line on stdout, ready to pipe
// into a Kafka producer, `clickhouse-client --query "INSERT ... FORMAT
// JSONEachRow"`, or a PostgreSQL COPY.
//
//   node examples/change-feed.mjs --path DIR [--offset-file FILE] [--demo N] [--follow]
//
//   --path DIR          the database (created if missing). The feed runs in
//                       the process that has the database open: put this
//                       loop next to your writers.
//   --offset-file FILE  where the consumer keeps its position: the seq of
//                       the last batch written out, stored after each line
//                       (at-least-once: after a crash the last line may come
//                       again). Missing = start from 0, everything the WAL
//                       holds.
//   --demo N            first write N sensor readings (and a few deletes)
//                       while the feed runs, so there is something to ship.
//   --follow            keep tailing new commits until Ctrl-C; without it,
//                       stop once caught up.
//
// One line a batch:
//   {"seq":12,"firstSeq":10,"records":[{"key":"sensor/1","ts":…,"value":"21.5","expireAt":null,"seq":10}],
//    "deletes":[{"key":"sensor/2","ts":…,"seq":11}],"rangeDeletes":[{"start":"a","end":"b","seq":12}]}
// Keys and values are strings when they are UTF-8, else keyBase64 /
// valueBase64 (the flowdb CLI's record format); ts as a number, or a decimal
// string beyond 2^53. The database keeps flushed WAL segments for 64 MiB
// (walRetentionBytes); a consumer that falls further behind gets
// FLOWDB_SEQUENCE_GONE and must restart from a checkpoint.

import { parseArgs } from 'node:util'
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Engine, FlowDBError, errorCodes } from '../lib/index.mjs'

const require = createRequire(import.meta.url)
const { recordToLine } = require('../lib/cli/records.cjs')

const { values: args } = parseArgs({
  options: {
    path: { type: 'string' },
    'offset-file': { type: 'string' },
    demo: { type: 'string', default: '0' },
    follow: { type: 'boolean', default: false }
  }
})
if (args.path === undefined) {
  process.stderr.write('usage: node examples/change-feed.mjs --path DIR [--offset-file FILE] [--demo N] [--follow]\n')
  process.exit(2)
}

const offsetFile = args['offset-file']
const since = offsetFile !== undefined && existsSync(offsetFile) ? Number(readFileSync(offsetFile, 'utf8')) : 0
mkdirSync(args.path, { recursive: true })
const engine = await Engine.open({ path: args.path, keyEncoding: 'buffer', walRetentionBytes: 64 << 20 })

// A key (or range bound) as the record format spells it.
const keyJson = (name, buf) => {
  const line = recordToLine({ key: buf, ts: 0, value: Buffer.alloc(0), expireAt: null })
  return `"${name}${line.slice(5, line.indexOf(',"ts"'))}`
}
const int64 = (v) => JSON.stringify(typeof v === 'bigint' ? String(v) : v)

function batchLine (b) {
  const records = b.records.map((r) => `${recordToLine(r).slice(0, -1)},"seq":${r.seq}}`)
  const deletes = b.deletes.map((d) => `{${keyJson('key', d.key)},"ts":${int64(d.ts)},"seq":${d.seq}}`)
  const ranges = b.rangeDeletes.map((d) => `{${keyJson('start', d.start)},${keyJson('end', d.end)},"seq":${d.seq}}`)
  return `{"seq":${b.seq},"firstSeq":${b.firstSeq},"records":[${records}],"deletes":[${deletes}],"rangeDeletes":[${ranges}]}\n`
}

// The demo writer: readings of four sensors, now and then a delete.
async function demo (n) {
  for (let i = 0; i < n; i++) {
    const key = `sensor/${i % 4}`
    const ts = Date.now() * 1000 + i
    if (i % 10 === 9) await engine.del(key, ts - 1)
    else await engine.put(key, ts, (20 + Math.sin(i / 10) * 5).toFixed(2))
  }
}

process.on('SIGINT', () => { engine.close() })
// A reader that went away (`... | head`) ends the program.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err
  engine.close().then(() => process.exit(0))
})
const writing = demo(Number(args.demo))
let target = Infinity
if (!args.follow) writing.then(() => { target = engine.stats().lastSequence })

let shipped = 0
try {
  if (!args.follow) await writing
  if (since < target) {
    for await (const batch of engine.changes({ since })) {
      if (!process.stdout.write(batchLine(batch))) await new Promise((resolve) => process.stdout.once('drain', resolve))
      if (offsetFile !== undefined) {
        writeFileSync(`${offsetFile}.tmp`, String(batch.seq))
        renameSync(`${offsetFile}.tmp`, offsetFile)
      }
      shipped++
      if (batch.seq >= target) break
    }
  }
} catch (err) {
  // Ctrl-C closes the engine, which ends a waiting feed with FLOWDB_CLOSED.
  if (!(err instanceof FlowDBError && err.code === errorCodes.CLOSED)) throw err
}
await writing.catch(() => {})
await engine.close()
process.stderr.write(`shipped ${shipped} batches\n`)
