// RocksDB through rocksdb-native (Holepunch). Key = series bytes + 8-byte
// big-endian ts (kv-key.mjs), value = the value bytes.
//
// Durability 'none': the library's defaults — WAL on, writes not synced
// (rocksdb_write with default write options: sync = false). rocksdb-native
// exposes no per-write sync option, so 'always' is not offered.
// Options: library defaults (64 MiB write buffer, 8 KiB blocks, bloom 10,
// the bundled RocksDB's default compression).
// Reads: rocksdb-native has no synchronous get; db.get() is one read batch of
// one key. Iterators use `capacity` (entries fetched per native call; default
// 8) sized to the scan, as its iterator option allows.

import { createRequire } from 'node:module'
import { encodeKey, decodeTs, decodeSeries, seriesBounds } from './kv-key.mjs'
import { RangeResult, FullScanResult } from './scan-result.mjs'

const require = createRequire(import.meta.url)
const PREFIX_CAPACITY = 256
const FULL_SCAN_CAPACITY = 1024

export async function open (dir, { durability = 'none' } = {}) {
  if (durability !== 'none') throw new Error(`rocksdb-native: durability '${durability}' is not supported (no per-write sync option)`)
  const RocksDB = require('rocksdb-native')
  const db = new RocksDB(dir)
  await db.ready()
  return {
    async writeBatch (records) {
      const batch = db.write({ capacity: records.length, autoDestroy: true })
      for (const r of records) batch.tryPut(encodeKey(r.key, r.ts), r.value)
      await batch.flush()
    },
    async get (key, ts) {
      const v = await db.get(encodeKey(key, ts))
      return v === null ? undefined : v
    },
    async latest (key) {
      const e = await db.peek(seriesBounds(key, null), { reverse: true })
      return e === null ? undefined : { ts: decodeTs(e.key), value: e.value }
    },
    async prefixScan (key, tsRange) {
      const result = new RangeResult()
      for await (const e of db.iterator(seriesBounds(key, tsRange), { capacity: PREFIX_CAPACITY })) {
        result.add(decodeTs(e.key), e.value)
      }
      return result
    },
    async fullScan () {
      const result = new FullScanResult()
      for await (const e of db.iterator({}, { capacity: FULL_SCAN_CAPACITY })) {
        result.add(e.key, decodeTs(e.key), e.value, decodeSeries)
      }
      return result
    },
    flush: () => db.flush(),
    close: () => db.close()
  }
}

export const info = {
  package: 'rocksdb-native',
  durability: { none: 'defaults: WAL on, sync = false (no fsync per batch)' },
  api: {
    get: 'await db.get(key)',
    latest: "await db.peek(range, { reverse: true })",
    prefixScan: 'for await (const e of db.iterator(range, { capacity: 256 }))',
    fullScan: 'for await (const e of db.iterator({}, { capacity: 1024 }))'
  }
}
