// LevelDB through classic-level 3. Key = series bytes + 8-byte big-endian ts
// (kv-key.mjs), value = the value bytes; buffer encodings for both.
//
// Durability 'none': the default write option sync: false (the log is
// written to the OS per batch, not fsynced); 'always': batch(…, { sync: true }).
// Options: defaults (4 MiB write buffer, 8 MiB block cache, Snappy).
// Full scans raise highWaterMarkBytes (the README's advice for bulk reads)
// so the iterator's internal cache holds 1,000 entries per native call.

import { encodeKey, decodeTs, decodeSeries, seriesBounds } from './kv-key.mjs'
import { RangeResult, FullScanResult } from './scan-result.mjs'

const FULL_SCAN_HIGH_WATER = 1000 * 200

export async function open (dir, { durability = 'none' } = {}) {
  if (durability !== 'none' && durability !== 'always') throw new Error(`classic-level: unknown durability ${durability}`)
  const { ClassicLevel } = await import('classic-level')
  const db = new ClassicLevel(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' })
  await db.open()
  const writeOptions = { sync: durability === 'always' }
  return {
    writeBatch (records) {
      const ops = new Array(records.length)
      for (let i = 0; i < records.length; i++) {
        const r = records[i]
        ops[i] = { type: 'put', key: encodeKey(r.key, r.ts), value: r.value }
      }
      return db.batch(ops, writeOptions)
    },
    getSync: (key, ts) => db.getSync(encodeKey(key, ts)),
    get: (key, ts) => db.get(encodeKey(key, ts)),
    async latest (key) {
      const entries = await db.iterator({ ...seriesBounds(key, null), reverse: true, limit: 1 }).all()
      return entries.length === 0 ? undefined : { ts: decodeTs(entries[0][0]), value: entries[0][1] }
    },
    async prefixScan (key, tsRange) {
      const entries = await db.iterator(seriesBounds(key, tsRange)).all()
      const result = new RangeResult()
      for (const [k, v] of entries) result.add(decodeTs(k), v)
      return result
    },
    async fullScan () {
      const result = new FullScanResult()
      for await (const [k, v] of db.iterator({ highWaterMarkBytes: FULL_SCAN_HIGH_WATER })) {
        result.add(k, decodeTs(k), v, decodeSeries)
      }
      return result
    },
    close: () => db.close()
  }
}

export const info = {
  package: 'classic-level',
  durability: {
    none: 'default sync: false (log written per batch, not fsynced)',
    always: 'batch(ops, { sync: true })'
  },
  api: {
    getSync: 'db.getSync(key)',
    get: 'await db.get(key)',
    latest: 'await db.iterator({ …, reverse: true, limit: 1 }).all()',
    prefixScan: 'await db.iterator(range).all()',
    fullScan: 'for await (const [k, v] of db.iterator({ highWaterMarkBytes: 200000 }))'
  }
}
