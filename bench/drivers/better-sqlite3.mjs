// SQLite through better-sqlite3 12. One table
//   points (key TEXT, ts INTEGER, value BLOB, PRIMARY KEY (key, ts)) WITHOUT ROWID
// so rows are stored in (key, ts) order, in WAL journal mode.
//
// Durability 'none': synchronous = OFF (no fsync at all; the level of the
// other peers); 'always': synchronous = FULL (fsync of the WAL per commit).
// A batch is one transaction of 100 INSERT OR REPLACE. better-sqlite3 is
// synchronous only: its writes and reads block the event loop, and it has
// no Promise API to measure.

import path from 'node:path'
import { createRequire } from 'node:module'
import { RangeResult, FullScanResult, identity } from './scan-result.mjs'

const require = createRequire(import.meta.url)
const SYNCHRONOUS = { none: 'OFF', always: 'FULL' }

export async function open (dir, { durability = 'none' } = {}) {
  const synchronous = SYNCHRONOUS[durability]
  if (synchronous === undefined) throw new Error(`better-sqlite3: unknown durability ${durability}`)
  const Database = require('better-sqlite3')
  const db = new Database(path.join(dir, 'data.sqlite'))
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${synchronous}`)
  db.exec(`CREATE TABLE IF NOT EXISTS points (
    key TEXT NOT NULL, ts INTEGER NOT NULL, value BLOB NOT NULL,
    PRIMARY KEY (key, ts)) WITHOUT ROWID`)
  const insert = db.prepare('INSERT OR REPLACE INTO points (key, ts, value) VALUES (?, ?, ?)')
  const insertBatch = db.transaction((records) => {
    for (const r of records) insert.run(r.key, r.ts, r.value)
  })
  const getOne = db.prepare('SELECT value FROM points WHERE key = ? AND ts = ?').pluck()
  const latestOne = db.prepare('SELECT ts, value FROM points WHERE key = ? ORDER BY ts DESC LIMIT 1').raw()
  const series = db.prepare('SELECT ts, value FROM points WHERE key = ? ORDER BY ts').raw()
  const seriesWindow = db.prepare('SELECT ts, value FROM points WHERE key = ? AND ts BETWEEN ? AND ? ORDER BY ts').raw()
  const everything = db.prepare('SELECT key, ts, value FROM points ORDER BY key, ts').raw()
  return {
    writeBatch (records) {
      insertBatch(records)
    },
    getSync: (key, ts) => getOne.get(key, ts),
    latestSync (key) {
      const row = latestOne.get(key)
      return row === undefined ? undefined : { ts: row[0], value: row[1] }
    },
    prefixScan (key, tsRange) {
      const rows = tsRange ? seriesWindow.all(key, tsRange.gte, tsRange.lte) : series.all(key)
      const result = new RangeResult()
      for (const row of rows) result.add(row[0], row[1])
      return result
    },
    fullScan () {
      const result = new FullScanResult()
      for (const row of everything.iterate()) result.add(row[0], row[1], row[2], identity)
      return result
    },
    close () {
      db.close()
    }
  }
}

export const info = {
  package: 'better-sqlite3',
  durability: {
    none: 'journal_mode = WAL, synchronous = OFF (no fsync)',
    always: 'journal_mode = WAL, synchronous = FULL'
  },
  api: {
    getSync: 'stmt.pluck().get(key, ts)',
    latestSync: 'SELECT … ORDER BY ts DESC LIMIT 1 (.get)',
    prefixScan: 'SELECT … WHERE key = ? ORDER BY ts (.all)',
    fullScan: 'SELECT … ORDER BY key, ts (.iterate)'
  }
}
