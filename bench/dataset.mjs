// The benchmark's data: 2N time-series records over S series.
//
// Record i (0 ≤ i < 2N) belongs to series i mod S and is that series'
// (⌊i/S⌋)-th point: key "sensor.NNNN" (zero-padded, so that no series name
// is a prefix of another), ts = T0 + step × 1 s in µs, value = 128 random
// bytes (incompressible, so storage sizes are not flattered by compression).
// Records 0…N-1 are the sequential-write phase, N…2N-1 the concurrent one:
// every series gets new points in ts order, as sensors reporting each tick.
//
// The read workloads draw their targets from a seeded generator, so every
// engine of a run reads the same keys in the same order.

import { randomFillSync } from 'node:crypto'

export const T0 = 1_700_000_000_000_000 // µs since the epoch
export const TS_STEP = 1_000_000 // one point per series per second
export const VALUE_BYTES = 128
export const BATCH = 100

// xorshift32: a small deterministic generator for the read targets.
export function generator (seed) {
  let x = seed >>> 0 || 0x9e3779b9
  return (n) => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) % n
  }
}

export class Dataset {
  constructor ({ records, series }) {
    if (records % BATCH !== 0) throw new Error(`--records must be a multiple of ${BATCH}`)
    this.n = records // per write phase
    this.total = 2 * records
    this.series = series
    const width = Math.max(4, String(series - 1).length)
    this.names = Array.from({ length: series }, (_, s) => 'sensor.' + String(s).padStart(width, '0'))
    this.values = Buffer.allocUnsafe(this.total * VALUE_BYTES)
    randomFillSync(this.values)
  }

  seriesOf (i) { return i % this.series }
  tsOf (i) { return T0 + Math.floor(i / this.series) * TS_STEP }
  keyOf (i) { return this.names[i % this.series] }
  valueOf (i) { return this.values.subarray(i * VALUE_BYTES, (i + 1) * VALUE_BYTES) }

  // Records [from, to) as batches of BATCH { key, ts, value } objects.
  batches (from, to) {
    const out = []
    for (let b = from; b < to; b += BATCH) {
      const batch = new Array(Math.min(BATCH, to - b))
      for (let j = 0; j < batch.length; j++) {
        const i = b + j
        batch[j] = { key: this.keyOf(i), ts: this.tsOf(i), value: this.valueOf(i) }
      }
      out.push(batch)
    }
    return out
  }

  // Number of records of series s, and the record index of its k-th point.
  countOf (s) { return Math.floor((this.total - 1 - s) / this.series) + 1 }
  indexOf (s, k) { return k * this.series + s }

  // `count` point-read targets: record indices, uniformly over all records.
  pointTargets (count, seed) {
    const next = generator(seed)
    return Array.from({ length: count }, () => next(this.total))
  }

  // `count` series numbers for latest-record reads.
  seriesTargets (count, seed) {
    const next = generator(seed)
    return Array.from({ length: count }, () => next(this.series))
  }

  // A prefix-scan target: a series and the ts window that selects `want`
  // of its records. The window is the whole series when the series has
  // exactly `want` records (the default sizes: 200,000 records over 1,000
  // series); otherwise a window of consecutive points starting at a
  // random one, so a scan still returns `want` records (or all of a
  // shorter series).
  scanTarget (next, want) {
    const s = next(this.series)
    const count = this.countOf(s)
    if (count <= want) {
      return { series: s, key: this.names[s], first: this.indexOf(s, 0), last: this.indexOf(s, count - 1), count, tsRange: null }
    }
    const k0 = next(count - want + 1)
    const first = this.indexOf(s, k0)
    const last = this.indexOf(s, k0 + want - 1)
    return { series: s, key: this.names[s], first, last, count: want, tsRange: { gte: this.tsOf(first), lte: this.tsOf(last) } }
  }

  scanTargets (count, want, seed) {
    const next = generator(seed)
    return Array.from({ length: count }, () => this.scanTarget(next, want))
  }
}
