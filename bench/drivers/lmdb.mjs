// LMDB through lmdb (lmdb-js). Key = series bytes + 8-byte big-endian ts
// (kv-key.mjs) with keyEncoding 'binary', values with encoding 'binary'.
//
// Durability 'none': noSync: true (commits are never fsynced; the OS writes
// the memory map back) — the level of the other peers. 'always': the
// library default (overlappingSync on Linux: a write resolves once its
// transaction is committed, and the fsync follows in the background).
// A batch is 100 db.put() calls made in one event turn: lmdb-js commits all
// writes of a turn in one transaction, and the last put's Promise resolves
// when it is committed. Reads (get, getRange) are synchronous.

import path from 'node:path'
import { encodeKey, decodeTs, decodeSeries, seriesBounds } from './kv-key.mjs'
import { RangeResult, FullScanResult } from './scan-result.mjs'

export async function open (dir, { durability = 'none' } = {}) {
  if (durability !== 'none' && durability !== 'always') throw new Error(`lmdb: unknown durability ${durability}`)
  const { open: openLmdb } = await import('lmdb')
  const db = openLmdb({
    path: path.join(dir, 'data.mdb'),
    keyEncoding: 'binary',
    encoding: 'binary',
    noSync: durability === 'none'
  })
  // getRange with reverse: start is the upper end, end the (exclusive) lower one.
  const range = (key, tsRange) => {
    const b = seriesBounds(key, tsRange)
    return { start: b.gte, end: b.lt }
  }
  return {
    writeBatch (records) {
      let last
      for (const r of records) last = db.put(encodeKey(r.key, r.ts), r.value)
      return last
    },
    getSync: (key, ts) => db.get(encodeKey(key, ts)),
    latestSync (key) {
      const b = range(key, null)
      for (const e of db.getRange({ start: b.end, end: b.start, reverse: true, limit: 1 })) {
        return { ts: decodeTs(e.key), value: e.value }
      }
      return undefined
    },
    prefixScan (key, tsRange) {
      const result = new RangeResult()
      for (const e of db.getRange(range(key, tsRange))) result.add(decodeTs(e.key), e.value)
      return result
    },
    fullScan () {
      const result = new FullScanResult()
      for (const e of db.getRange({})) result.add(e.key, decodeTs(e.key), e.value, decodeSeries)
      return result
    },
    flush: () => db.flushed,
    close: () => db.close()
  }
}

export const info = {
  package: 'lmdb',
  durability: {
    none: 'noSync: true (commits never fsynced; the OS writes the map back)',
    always: 'defaults (overlappingSync: fsync after commit, in the background)'
  },
  api: {
    getSync: 'db.get(key)',
    latestSync: 'db.getRange({ start, end, reverse: true, limit: 1 })',
    prefixScan: 'for (const e of db.getRange({ start, end }))',
    fullScan: 'for (const e of db.getRange({}))'
  }
}
