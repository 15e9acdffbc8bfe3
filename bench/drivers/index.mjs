// The engines the comparison runs, each a driver module of this folder at one
// durability level. Every driver module exports
//
//   open(dir, { durability }) → Promise<db>, where db has
//     writeBatch(records)       records: [{ key, ts, value }]; may return a Promise
//     getSync?(key, ts)         → Buffer | undefined (engines with a sync read)
//     get?(key, ts)             → Promise<Buffer | undefined> (engines with a Promise read)
//     latestSync?(key) / latest?(key) → { ts, value } | undefined: the series' newest record
//     prefixScan(key, tsRange)  → RangeResult (or a Promise of one): the series'
//                                 records, within tsRange ({ gte, lte }) when given
//     fullScan()                → FullScanResult (or a Promise of one): every record
//     flush?()                  → Promise: make written data durable in tables
//     close()                   → Promise | void
//   info: { package, durability: { level: description }, api: { workload: call } }
//
// Keys are series names and ts are numbers; each driver maps them onto its
// engine (the key/value peers use kv-key.mjs).

export const ENGINES = [
  { name: 'flowdb', driver: 'flowdb', durability: 'none', label: 'FlowDB' },
  // Write workloads only: its reads are those of 'flowdb' (same files).
  { name: 'flowdb-always', driver: 'flowdb', durability: 'always', label: 'FlowDB always', writesOnly: true },
  { name: 'rocksdb-native', driver: 'rocksdb-native', durability: 'none', label: 'rocksdb-native', aliases: ['rocksdb'] },
  { name: 'classic-level', driver: 'classic-level', durability: 'none', label: 'classic-level', aliases: ['leveldb', 'level'] },
  { name: 'lmdb', driver: 'lmdb', durability: 'none', label: 'lmdb' },
  { name: 'better-sqlite3', driver: 'better-sqlite3', durability: 'none', label: 'better-sqlite3', aliases: ['sqlite'] }
]

export function findEngine (name) {
  const engine = ENGINES.find((e) => e.name === name || (e.aliases ?? []).includes(name))
  if (engine === undefined) throw new Error(`unknown engine ${name}; known: ${ENGINES.map((e) => e.name).join(', ')}`)
  return engine
}

export function loadDriver (engine) {
  return import(`./${engine.driver}.mjs`)
}
