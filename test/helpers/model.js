// A plain-JS model of the engine's visible state, to compare scans against.

export class Model {
  constructor () {
    this.map = new Map() // "hex(key)/ts" → { key: Buffer, ts: bigint, value: Buffer }
  }

  put (key, ts, value) {
    const k = Buffer.from(key)
    this.map.set(`${k.toString('hex')}/${BigInt(ts)}`, { key: k, ts: BigInt(ts), value: Buffer.from(value) })
  }

  del (key, ts) {
    this.map.delete(`${Buffer.from(key).toString('hex')}/${BigInt(ts)}`)
  }

  // The records a scan with `range` must return, in order (keys and values
  // as Buffers, ts as bigint).
  scan (range = {}) {
    const bytes = (k) => (typeof k === 'string' ? Buffer.from(k) : Buffer.from(k))
    const cmp = (a, b) => Buffer.compare(a, b)
    const t = range.ts ?? {}
    let out = [...this.map.values()].filter((r) => {
      if (range.prefix !== undefined && !r.key.subarray(0, bytes(range.prefix).length).equals(bytes(range.prefix))) return false
      if (range.gt !== undefined && cmp(r.key, bytes(range.gt)) <= 0) return false
      if (range.gte !== undefined && cmp(r.key, bytes(range.gte)) < 0) return false
      if (range.lt !== undefined && cmp(r.key, bytes(range.lt)) >= 0) return false
      if (range.lte !== undefined && cmp(r.key, bytes(range.lte)) > 0) return false
      if (t.gt !== undefined && r.ts <= BigInt(t.gt)) return false
      if (t.gte !== undefined && r.ts < BigInt(t.gte)) return false
      if (t.lt !== undefined && r.ts >= BigInt(t.lt)) return false
      if (t.lte !== undefined && r.ts > BigInt(t.lte)) return false
      return true
    })
    out.sort((a, b) => cmp(a.key, b.key) || (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0))
    if (range.reverse) out.reverse()
    if (range.limit !== undefined && range.limit >= 0) out = out.slice(0, range.limit)
    return out
  }
}

// Records (from a scan or from Model.scan) as "keyhex@ts=valuehex" strings:
// cheap to compare in bulk, and readable in a failure diff.
export function normalize (records) {
  return records.map((r) => `${Buffer.from(r.key).toString('hex')}@${r.ts}=${Buffer.from(r.value).toString('hex')}`)
}
