// FlowDB through its public JS API (lib/). A record is stored as it is:
// key = series name, ts, value.
//
// Durability: 'none' → syncMode 'none' (the WAL is written to the OS on every
// batch, never fsynced: a process crash loses nothing, a power loss may lose
// what the OS had not written back — the level of the peers below);
// 'always' → syncMode 'always' (fdatasync before each write resolves;
// concurrent batches share one fsync through group commit).
// Everything else is the engine's default (64 MiB memtable, 64 MiB block
// cache, LZ4, bloom 10 bits/key) unless `options` (compare.mjs
// --flowdb-options) sets it.

import { RangeResult, FullScanResult, identity } from './scan-result.mjs'

const SYNC_MODES = { none: 'none', always: 'always' }

export async function open (dir, { durability = 'none', options = {} } = {}) {
  const { Engine } = await import('../../lib/index.mjs')
  const syncMode = SYNC_MODES[durability]
  if (syncMode === undefined) throw new Error(`flowdb: unknown durability ${durability}`)
  const engine = await Engine.open({ ...options, path: dir, syncMode })
  return {
    writeBatch: (records) => engine.writeBatch(records),
    getSync: (key, ts) => engine.getSync(key, ts),
    get: (key, ts) => engine.get(key, ts),
    latestSync: (key) => engine.getLatestSync(key),
    latest: (key) => engine.getLatest(key),
    async prefixScan (key, tsRange) {
      const records = await engine.scan(tsRange ? { prefix: key, ts: tsRange } : { prefix: key }).all()
      const result = new RangeResult()
      for (const r of records) result.add(r.ts, r.value)
      return result
    },
    async fullScan () {
      const result = new FullScanResult()
      for await (const r of engine.scan()) result.add(r.key, r.ts, r.value, identity)
      return result
    },
    flush: () => engine.flush(),
    close: () => engine.close(),
    stats: () => engine.stats()
  }
}

export const info = {
  package: 'flowdb',
  durability: {
    none: "syncMode 'none': WAL written per batch, never fsynced",
    always: "syncMode 'always': fdatasync per write (group commit)"
  },
  api: {
    getSync: 'engine.getSync(key, ts)',
    get: 'await engine.get(key, ts)',
    latestSync: 'engine.getLatestSync(key)',
    latest: 'await engine.getLatest(key)',
    prefixScan: 'await engine.scan({ prefix, ts? }).all()',
    fullScan: 'for await (const r of engine.scan())'
  }
}
