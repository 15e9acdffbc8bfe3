// Accumulators every driver uses to report what a scan returned, so the
// harness checks the results of every engine the same way: for a range scan
// the count and the first and last records; for a full scan the count, an
// XOR of the ts values and one sample record in every SAMPLE_EVERY.

export const SAMPLE_EVERY = 4096
const TWO_32 = 2 ** 32

export class RangeResult {
  count = 0
  first = null
  last = null
  add (ts, value) {
    if (this.count++ === 0) this.first = { ts, value }
    this.last = { ts, value }
  }
}

export class FullScanResult {
  count = 0
  tsXor = 0
  samples = []
  // decodeKey(key) gives the series name; it runs only for samples.
  add (key, ts, value, decodeKey) {
    this.tsXor ^= ts % TWO_32
    if (this.count++ % SAMPLE_EVERY === 0) this.samples.push({ key: decodeKey(key), ts, value })
  }
}

export function identity (x) {
  return x
}
